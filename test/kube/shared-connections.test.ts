/**
 * Requests through smi's KubeConfig share keep-alive connections: client-node alone gives every
 * request a new Agent, so each write to kube-apiserver paid a TCP connection and a TLS handshake.
 * A server that counts connections answers discovery and server-side applies as kube-apiserver does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/kube/config.js';
import { Writer } from '../../src/kube/writer.js';

async function countingServer(): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url?.startsWith('/api/v1')) {
        res.end(JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [{ name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'patch'] }] }));
      } else if (req.method === 'PATCH') {
        res.end(body);
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 }));
      }
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, connections: () => connections };
}

function kubeconfigFor(url: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'smi-kc-')), 'kubeconfig');
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
  return file;
}

async function applyMany(kc: KubeConfig, count: number, inFlight: number): Promise<void> {
  const writer = new Writer(kc);
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < count) {
      const i = next++;
      await writer.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { i: String(i) } } as never);
    }
  }));
}

test('60 applies, 4 in flight, on at most a handful of connections (client-node alone: one per request)', async () => {
  const { server, url, connections } = await countingServer();
  try {
    const file = kubeconfigFor(url);
    await applyMany(loadKubeConfig(file), 60, 4);
    const shared = connections();
    assert.ok(shared <= 8, `smi's KubeConfig opened ${shared} connections for 60 requests`);
    // The same with client-node's own KubeConfig: the reason for ours.
    const plain = new KubeConfig();
    plain.loadFromFile(file);
    await applyMany(plain, 60, 4);
    assert.ok(connections() - shared >= 60, `client-node's own KubeConfig opened ${connections() - shared} connections`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
