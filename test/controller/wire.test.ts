/**
 * NetworkPolicy through @kubernetes/client-node: its models call `from` `_from`, so a plain object
 * loses its peers on the way out (a rule without `from` admits everyone) and listed objects come back
 * renamed. Written by smi's Writer and read by its Cache, the server and smi see `from`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiServer } from '../support/kube-api/server.js';
import { TestClient, eventually } from '../support/kube-api/client.js';
import { Cache } from '../../src/kube/cache.js';
import { Writer } from '../../src/kube/writer.js';
import { fromClientModel, toClientModel } from '../../src/kube/wire.js';

const policy = (name: string) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'books' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
});

test('a NetworkPolicy applied by the Writer reaches the server with its peers, and the Cache reads them back as `from`', async () => {
  const server = await new KubeApiServer().start();
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const kind = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true, smi: false };
  const cache = new Cache(kc, [kind]);
  // As JSON: client-node hands back instances of its model classes.
  const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
  try {
    const client = new TestClient(server);
    await client.ensureNamespace('shop');
    const writer = new Writer(kc);
    const returned = await writer.apply(policy('listed'));
    const stored = await client.get(policy('listed'));
    assert.deepEqual((stored?.spec as { ingress: unknown[] }).ingress, policy('x').spec.ingress, 'the server holds the peers');
    assert.deepEqual(json((returned as { spec?: { ingress?: unknown[] } }).spec?.ingress), policy('x').spec.ingress);
    await cache.start();
    await writer.apply(policy('watched'));
    const both = await eventually(async () => { const l = cache.list(kind); return l.length === 2 ? l : undefined; }, 5_000, 'the watched NetworkPolicy');
    for (const o of both) assert.deepEqual(json((o as { spec?: { ingress?: unknown[] } }).spec?.ingress), policy('x').spec.ingress, o.metadata?.name);
  } finally {
    await cache.stop();
    await server.stop();
  }
});

test('the renaming touches NetworkPolicy ingress rules only, and round-trips', () => {
  const p = policy('p');
  assert.deepEqual(fromClientModel(toClientModel(p)), p);
  assert.ok('_from' in (toClientModel(p).spec.ingress[0] as object));
  const other = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'a' }, spec: { rules: [{ from: [] }] } };
  assert.equal(toClientModel(other), other);
});
