/**
 * The API test server's protocol, checked at the HTTP level where kubectl does not reach: watch
 * resume and 410 Gone, bookmarks, optimistic concurrency, the status subresource, server-side apply
 * ownership, garbage collection by owner references, and fault injection.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiServer } from '../support/kube-api/server.js';
import { TestClient, type K8sObject } from '../support/kube-api/client.js';
import { allCrds } from '../../src/api/crds.js';

async function watchLines(server: KubeApiServer, path: string, ms: number): Promise<{ type: string; object: K8sObject }[]> {
  const controller = new AbortController();
  const lines: { type: string; object: K8sObject }[] = [];
  setTimeout(() => controller.abort(), ms);
  try {
    const r = await fetch(`${server.url}${path}`, { signal: controller.signal });
    const reader = r.body!.getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffer.slice(0, i)) as { type: string; object: K8sObject });
        buffer = buffer.slice(i + 1);
      }
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  }
  return lines;
}

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

describe('API test server protocol', () => {
  let server: KubeApiServer;
  let client: TestClient;
  before(async () => {
    server = await new KubeApiServer({ bookmarkIntervalMs: 100, eventLogLimit: 1000 }).start();
    client = new TestClient(server);
  });
  after(async () => server.stop());

  test('a watch from a resourceVersion replays what came after it; one from before compaction gets 410 Gone', async () => {
    const created = await client.create(cm('w1'));
    const rv = String(created.metadata.resourceVersion);
    await client.put(cm('w1', { a: '1' }));
    await client.create(cm('w2'));
    const events = await watchLines(server, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, 300);
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['MODIFIED w1', 'ADDED w2']);
    server.store.compact();
    const gone = await watchLines(server, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, 300);
    assert.equal(gone[0]?.type, 'ERROR');
    assert.equal((gone[0]?.object as unknown as { code: number; reason: string }).code, 410);
  });

  test('bookmarks carry the latest resourceVersion when asked for', async () => {
    const events = await watchLines(server, `/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${server.store.resourceVersion}`, 350);
    const marks = events.filter((e) => e.type === 'BOOKMARK');
    assert.ok(marks.length >= 2, JSON.stringify(events));
    assert.equal(marks[0]!.object.metadata.resourceVersion, String(server.store.resourceVersion));
  });

  test('optimistic concurrency: an update with a stale resourceVersion is a 409 Conflict', async () => {
    const o = await client.create(cm('occ'));
    await client.put(cm('occ', { x: '1' }));
    const stale = await client.request('PUT', '/api/v1/namespaces/default/configmaps/occ', { ...o, data: { x: '2' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(stale.body.kind, 'Status');
  });

  test('status subresource: the main resource ignores status, /status ignores the rest; generation follows spec', async () => {
    for (const crd of allCrds()) if (!(await client.get(crd as K8sObject))) await client.create(crd as K8sObject);
    const split = { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's', namespace: 'default' }, spec: { service: 'r', backends: [{ service: 'a', weight: 1 }] }, status: { observedGeneration: 9 } };
    const created = await client.create(split);
    assert.equal(created.status, undefined, 'status is not set on create');
    const path = '/apis/split.smi-spec.io/v1alpha4/namespaces/default/trafficsplits/s';
    const st = await client.request('PATCH', `${path}/status`, { status: { observedGeneration: 1 }, spec: { service: 'changed' } }, 'application/merge-patch+json');
    assert.equal(st.status, 200);
    assert.deepEqual(st.body.status, { observedGeneration: 1 });
    assert.equal((st.body.spec as { service: string }).service, 'r');
    assert.equal((st.body.metadata as { generation: number }).generation, 1);
    const spec = await client.request('PATCH', path, { spec: { service: 'r2' }, status: { observedGeneration: 5 } }, 'application/merge-patch+json');
    assert.equal((spec.body.metadata as { generation: number }).generation, 2);
    assert.deepEqual(spec.body.status, { observedGeneration: 1 });
  });

  test('server-side apply: fields a manager stops applying are removed; another manager\'s are kept', async () => {
    const path = '/api/v1/namespaces/default/configmaps/ssa';
    const apply = (manager: string, data: Record<string, string>, force = false) =>
      client.request('PATCH', `${path}?fieldManager=${manager}${force ? '&force=true' : ''}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data }, 'application/apply-patch+yaml');
    assert.equal((await apply('one', { a: '1', b: '1' })).status, 201, 'apply creates');
    assert.equal((await apply('two', { c: '1' })).status, 200);
    const conflict = await apply('two', { a: '2' });
    assert.equal(conflict.status, 409);
    assert.match(String(conflict.body.message), /conflict with "one"/);
    assert.equal((await apply('two', { a: '2', c: '1' }, true)).status, 200);
    const after = await apply('one', { b: '1' });
    assert.deepEqual(after.body.data, { a: '2', b: '1', c: '1' }, '"a" now belongs to two, so one dropping it does not remove it');
    const dropped = await apply('two', {});
    assert.deepEqual(dropped.body.data, { b: '1' });
  });

  test('deleting an owner deletes its dependents; one with another live owner only loses the reference', async () => {
    const owner = await client.create(cm('owner'));
    const other = await client.create(cm('other-owner'));
    const ref = (o: K8sObject) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name, uid: String(o.metadata.uid) });
    await client.create({ ...cm('dependent'), metadata: { name: 'dependent', namespace: 'default', ownerReferences: [ref(owner)] } });
    await client.create({ ...cm('shared'), metadata: { name: 'shared', namespace: 'default', ownerReferences: [ref(owner), ref(other)] } });
    assert.equal(await client.delete(owner), 200);
    assert.equal(await client.get(cm('dependent')), undefined);
    const shared = await client.get(cm('shared'));
    assert.deepEqual((shared?.metadata.ownerReferences as { name: string }[]).map((r) => r.name), ['other-owner']);
  });

  test('faults: an injected 500 answers once with a Status, then the server serves again', async () => {
    server.inject({ method: 'GET', path: '/configmaps/owner', status: 500 });
    const first = await client.request('GET', '/api/v1/namespaces/default/configmaps/other-owner');
    assert.equal(first.status, 200, 'the fault matches its path only');
    const hit = await client.request('GET', '/api/v1/namespaces/default/configmaps/other-owner'.replace('other-owner', 'owner'));
    assert.equal(hit.status, 500);
    assert.equal(hit.body.reason, 'InternalError');
    assert.equal((await client.request('GET', '/api/v1/namespaces/default/configmaps/owner')).status, 404, 'once only: then a real answer (deleted above)');
  });
});
