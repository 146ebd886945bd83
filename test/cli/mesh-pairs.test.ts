/** Several meshes side by side take each mesh's flags for that mesh (the dashboard, diff). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { requireTargets } from '../../src/cli/mesh-options.js';
import { UsageError } from '../../src/cli/io.js';
import { runCli } from '../support/cli.js';

test('--mesh istio --mesh linkerd --linkerd-default-policy deny: Linkerd gets its default policy, Istio nothing of it', () => {
  const [istio, linkerd] = requireTargets(['istio', 'linkerd'], { linkerdDefaultPolicy: 'deny', istioRootNamespace: 'mesh-root' });
  assert.equal(istio!.target.name, 'istio');
  assert.equal(istio!.options.linkerdDefaultPolicy, undefined);
  assert.equal(istio!.options.istioRootNamespace, 'mesh-root');
  assert.equal(linkerd!.options.linkerdDefaultPolicy, 'deny');
  assert.equal(linkerd!.options.istioRootNamespace, undefined);
});

test('a flag for a mesh not shown is refused, naming where it applies; --fence goes to the meshes that have one', () => {
  assert.throws(() => requireTargets(['istio', 'cilium'], { consulNamespaces: 'mirror' }), (e: unknown) => e instanceof UsageError && /--consul-namespaces applies to --mesh consul only, and none of the meshes shown is one/.test(e.message));
  const [istio, cilium] = requireTargets(['istio', 'cilium'], { fence: 'networkpolicy' });
  assert.equal(istio!.options.fence, 'networkpolicy');
  assert.equal(cilium!.options.fence, undefined);
  assert.throws(() => requireTargets(['cilium'], { fence: 'networkpolicy' }), UsageError);
});

test('smi diff takes the pair of meshes with their own flags', async () => {
  const r = await runCli(['diff', '-f', resolve(import.meta.dirname, '../../examples/bookstore'), '--mesh', 'istio', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny', '--istio-root-namespace', 'istio-system']);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.match(r.stdout, /differences between istio and linkerd/);
});
