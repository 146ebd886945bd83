/**
 * The README's route example end to end: examples/shelter/routes.yaml is what `smi routes
 * from-openapi` makes of the shelter description, and the policy over it translates and decides as
 * written — on SMI and on a mesh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from '../support/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');

test('examples/shelter/routes.yaml is the generated group, kept in step with its description', async () => {
  const r = await runCli(['route-groups', 'from-openapi', `${ROOT}/docs/api-descriptions/shelter.swagger.json`, '--name', 'shelter-api', '--namespace', 'shelter']);
  assert.equal(r.code, 0, r.stderr);
  const committed = readFileSync(`${ROOT}/examples/shelter/routes.yaml`, 'utf8').replace(/^#.*\n/gm, '');
  assert.equal(committed, r.stdout, 'regenerate examples/shelter/routes.yaml (see its header)');
});

test('from the description to a TrafficTarget to a mesh: the web front end reads pets, only the desk writes', async () => {
  const ask = (from: string, method: string, path: string, mesh?: string) =>
    runCli(['check', '-f', `${ROOT}/examples/shelter`, '--from', `shelter/${from}`, '--to', 'shelter/shelter-api', '--port', '8080', '--method', method, '--path', path, ...(mesh ? ['--mesh', mesh] : [])]);
  for (const mesh of [undefined, 'linkerd']) {
    assert.equal((await ask('web', 'GET', '/api/v1/pets/42', mesh)).code, 0, `web GET a pet (${mesh ?? 'smi'})`);
    assert.equal((await ask('web', 'GET', '/api/v1/pets/fido', mesh)).code, 1, `ids are integers (${mesh ?? 'smi'})`);
    assert.equal((await ask('web', 'GET', '/api/v1/pets/42/photos', mesh)).code, 1, `nothing longer (${mesh ?? 'smi'})`);
    assert.equal((await ask('web', 'POST', '/api/v1/pets', mesh)).code, 1, `web may not create (${mesh ?? 'smi'})`);
    assert.equal((await ask('adoption-desk', 'POST', '/api/v1/pets', mesh)).code, 0, `the desk may (${mesh ?? 'smi'})`);
  }
  const translated = await runCli(['translate', '-f', `${ROOT}/examples/shelter`, '--mesh', 'linkerd', '--linkerd-default-policy', 'deny']);
  assert.equal(translated.code, 0, translated.stderr);
  assert.ok(translated.stdout.includes('value: ^(?:/api/v1/pets/-?[0-9]+$).*$'), 'Linkerd takes the generated regex as it is');
  // Istio's authorization paths take no regex: the parameterised operations are left out there — narrower, and said.
  const istio = await ask('web', 'GET', '/api/v1/pets/42', 'istio');
  assert.equal(istio.code, 1);
  assert.match(istio.stdout + istio.stderr, /ISTIO_PATH_INEXPRESSIBLE/);
  assert.equal((await ask('web', 'GET', '/api/v1/pets', 'istio')).code, 0, 'the exact path is expressible on Istio');
});
