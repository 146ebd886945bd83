/**
 * Runs the Kubernetes API test server on its own and prints a kubeconfig for it, so anyone can
 * point kubectl (or smi) at it: npm run api-server [-- --port 8080] > kubeconfig; export KUBECONFIG=kubeconfig
 */
import { KubeApiServer } from './server.js';

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 0;
const server = await new KubeApiServer().start(port);
process.stdout.write(server.kubeconfig());
process.stderr.write(`Kubernetes API test server on ${server.url} (Ctrl-C to stop)\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
