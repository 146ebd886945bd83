/**
 * The controller tests' usual starting point: the API test server with Istio's CRDs, smi's CRDs and
 * the bookstore example applied, and a kubeconfig file for it; or the same in memory, for the controller's logic.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { KubeApiServer } from './kube-api/server.js';
import { TestClient, type K8sObject } from './kube-api/client.js';
import { allCrds } from '../../src/api/crds.js';
import { CrdSchemas } from './crd-schemas.js';
import { MemoryCluster, schemaAdmission } from './memory-cluster.js';

export const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');

export async function istioBookstore(): Promise<{ server: KubeApiServer; client: TestClient; kubeconfig: string }> {
  const server = await new KubeApiServer({ bookmarkIntervalMs: 200 }).start();
  const client = new TestClient(server);
  try {
    await client.installReferenceCrds('crds/istio');
    for (const crd of allCrds()) await client.create(crd as K8sObject);
    for (const f of readdirSync(BOOKSTORE).sort()) await client.applyYaml(readFileSync(join(BOOKSTORE, f), 'utf8'));
  } catch (e) {
    await server.stop(); // a failed set-up must not leave the file's process hanging
    throw e;
  }
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'smi-ctl-')), 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  return { server, client, kubeconfig };
}

/** The same starting point without HTTP: the bookstore in a MemoryCluster that admits what Istio's and smi's CRD schemas admit. */
export function istioBookstoreInMemory(): MemoryCluster {
  const cluster = new MemoryCluster({ admit: schemaAdmission(new CrdSchemas('crds/istio').add(allCrds())) });
  for (const f of readdirSync(BOOKSTORE).sort()) cluster.putYaml(readFileSync(join(BOOKSTORE, f), 'utf8'));
  return cluster;
}
