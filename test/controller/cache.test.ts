/**
 * The controller's informer cache keeps objects without what only the API server and kubectl read:
 * managedFields and kubectl's last-applied copy, on the first list and on every watch event after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiServer } from '../support/kube-api/server.js';
import { TestClient, eventually } from '../support/kube-api/client.js';
import { Cache } from '../../src/kube/cache.js';
import { INVENTORY_KINDS } from '../../src/api/watched-kinds.js';

test('cached objects carry no managedFields nor last-applied configuration; other annotations stay', async () => {
  const server = await new KubeApiServer().start();
  const client = new TestClient(server);
  const services = INVENTORY_KINDS.find((k) => k.kind === 'Service')!;
  const annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}', 'smi-spec.io/note': 'kept' };
  const service = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', annotations }, spec: { ports: [{ port: 80 }] } });
  await client.ensureNamespace('shop');
  const created = await client.create(service('listed'));
  assert.ok((created.metadata as { managedFields?: unknown[] }).managedFields?.length, 'the server writes managedFields');
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const cache = new Cache(kc, [services]);
  try {
    await cache.start();
    await client.create(service('watched'));
    const both = await eventually(async () => { const l = cache.list(services); return l.length === 2 ? l : undefined; }, 5_000, 'the watched Service');
    for (const o of both) {
      assert.equal(o.metadata?.managedFields, undefined, o.metadata?.name);
      assert.deepEqual(o.metadata?.annotations, { 'smi-spec.io/note': 'kept' }, o.metadata?.name);
    }
  } finally {
    await cache.stop();
    await server.stop();
  }
});
