/**
 * The cache lists kinds of an API group in pages, as client-go's pager does: limit=500 and the continue
 * token of each page, every item of every page kept, the list's resourceVersion the one the watch
 * starts from; core kinds whole (client-node drops the continue token of lists it has no model of, so
 * a paged core list could stop at its first page). The server here answers lists and watches as
 * kube-apiserver does for a kind with 1,234 objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadKubeConfig } from '../../src/kube/config.js';
import { Cache } from '../../src/kube/cache.js';

for (const kind of [
  { apiVersion: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, smi: false },
  // A CRD kind: paged through the custom objects API, which keeps the continue token.
  { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', resource: 'trafficsplits', namespaced: true, smi: true },
]) test(`${kind.kind}: 1,234 objects, ${kind.apiVersion.includes('/') ? 'in three pages of at most 500' : 'in one list'}; the watch starts at the list's resourceVersion`, async () => {
  const total = 1234;
  const asked: { limit?: string; cont?: string }[] = [];
  let watchedFrom: string | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    const base = kind.apiVersion === 'v1' ? '/api/v1' : `/apis/${kind.apiVersion}`;
    if (url.pathname === base) {
      res.end(JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: kind.apiVersion, resources: [{ name: kind.resource, singularName: kind.kind.toLowerCase(), namespaced: true, kind: kind.kind, verbs: ['list', 'watch'] }] }));
      return;
    }
    if (url.pathname === `${base}/${kind.resource}` && url.searchParams.get('watch') === 'true') {
      watchedFrom = url.searchParams.get('resourceVersion') ?? undefined;
      res.writeHead(200); // held open, as a watch is
      return;
    }
    if (url.pathname === `${base}/${kind.resource}`) {
      const limit = Number(url.searchParams.get('limit') ?? total);
      const start = Number(url.searchParams.get('continue') ?? 0);
      asked.push({ limit: url.searchParams.get('limit') ?? undefined, cont: url.searchParams.get('continue') ?? undefined });
      const end = Math.min(total, start + limit);
      const items = Array.from({ length: end - start }, (_, i) => ({ apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name: `o-${start + i}`, namespace: 'default', resourceVersion: String(start + i + 1), managedFields: [{ manager: 'x' }] }, spec: { i: String(start + i) } }));
      res.end(JSON.stringify({ kind: `${kind.kind}List`, apiVersion: kind.apiVersion, metadata: { resourceVersion: '77', ...(end < total ? { continue: String(end) } : {}) }, items }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const file = join(mkdtempSync(join(tmpdir(), 'smi-kc-')), 'kubeconfig');
  writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${(server.address() as { port: number }).port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
  const cache = new Cache(loadKubeConfig(file), [kind]);
  try {
    await cache.start();
    const paged = kind.apiVersion.includes('/');
    assert.deepEqual(asked, paged ? [{ limit: '500', cont: undefined }, { limit: '500', cont: '500' }, { limit: '500', cont: '1000' }] : [{ limit: undefined, cont: undefined }]);
    const listed = cache.list(kind);
    assert.equal(listed.length, total);
    assert.equal(new Set(listed.map((o) => o.metadata?.name)).size, total);
    assert.equal(listed.some((o) => o.metadata?.managedFields !== undefined), false, 'each page trimmed to the cached form');
    for (let i = 0; i < 50 && watchedFrom === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(watchedFrom, '77');
  } finally {
    await cache.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
