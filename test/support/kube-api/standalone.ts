/**
 * Runs the Kubernetes API test server on its own and prints a kubeconfig for it, so anyone can
 * point kubectl (or smi) at it: npm run api-server [-- --port 8080] [--seed objects.yaml] > kubeconfig; export KUBECONFIG=kubeconfig
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { KubeApiServer } from './server.js';

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 0;
const seedAt = process.argv.indexOf('--seed');
const server = new KubeApiServer();
if (seedAt > 0) {
  // --seed FILE: YAML objects loaded before serving (CRDs first), e.g. a benchmark's cluster.
  server.seed(parseAllDocuments(readFileSync(process.argv[seedAt + 1]!, 'utf8')).map((d) => d.toJS() as Record<string, unknown>).filter((o) => o !== null));
}
await server.start(port);
process.stdout.write(server.kubeconfig());
process.stderr.write(`Kubernetes API test server on ${server.url} (Ctrl-C to stop)\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
