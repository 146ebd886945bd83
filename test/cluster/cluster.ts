/**
 * A real Kubernetes control plane on loopback for the end-to-end tests: etcd, kube-apiserver and
 * kube-controller-manager (garbage collector, namespace and service-account controllers), built from
 * Kubernetes' own Go modules (build.ts). What a real cluster has: client-certificate authentication,
 * RBAC, the default admission plugins (validating and mutating webhooks among them), the aggregation
 * layer (front-proxy CA and requestheader settings) and service-account token signing. Certificates
 * are made with openssl. stop() ends every process and deletes the data.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'node:https';
import { binary, ensureServers } from './build.js';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Pki {
  readonly dir: string;
  readonly ca: string;
  /** Signs a client certificate (CN user, O groups) with the cluster CA: the way kubectl users authenticate. */
  clientCert(name: string, user: string, groups?: readonly string[]): Promise<{ cert: string; key: string }>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '7',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'], dir);
}

async function sign(dir: string, ca: string, name: string, subject: string, ext: string): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), ext);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '7', '-extfile', `${name}.ext`], dir);
}

async function makePki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true });
  await makeCa(dir, 'ca');
  await makeCa(dir, 'front-proxy-ca');
  await sign(dir, 'ca', 'apiserver', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  await sign(dir, 'front-proxy-ca', 'front-proxy-client', '/CN=front-proxy-client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'], dir);
  await openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return {
    dir, ca: join(dir, 'ca.crt'),
    async clientCert(name, user, groups = []) {
      await sign(dir, 'ca', name, `/CN=${user}${groups.map((g) => `/O=${g}`).join('')}`, 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
      return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    },
  };
}

/** A kubeconfig for the cluster: a client certificate, or a bearer token (a ServiceAccount's). */
export function kubeconfigText(server: string, ca: string, user: { cert: string; key: string } | { token: string }): string {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  const creds = 'token' in user ? `    token: ${user.token}` : `    client-certificate-data: ${b64(user.cert)}\n    client-key-data: ${b64(user.key)}`;
  return `apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(ca)}
users:
- name: e2e
  user:
${creds}
contexts:
- name: e2e
  context: {cluster: e2e, user: e2e}
current-context: e2e
`;
}

export interface Cluster {
  readonly url: string;
  readonly dir: string;
  /** Cluster-admin (system:masters) kubeconfig file. */
  readonly kubeconfig: string;
  readonly pki: Pki;
  /** The cluster-admin client certificate (what the kubeconfig holds), for clients that are not kubectl. */
  readonly admin: { readonly cert: string; readonly key: string };
  /** The process id of a running server (benchmarks read its CPU time and peak memory). */
  pid(server: 'etcd' | 'kube-apiserver'): number | undefined;
  /** Restarts kube-apiserver on the same etcd and port (clients see the server go away and come back). */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

function logTo(dir: string, name: string, child: ChildProcess): void {
  const out = createWriteStream(join(dir, `${name}.log`));
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
}

function ready(url: string, ca: string, cert: string, key: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/readyz`, { ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key), agent: new Agent({ keepAlive: false }), timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function until(what: string, check: () => Promise<boolean>, ms: number, logs: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready in ${ms / 1000} s; see ${logs}`);
}

const stopProcess = (child: ChildProcess | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });

export async function startCluster(options: { dir: string; log?: (line: string) => void; controllerManager?: boolean }): Promise<Cluster> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  await ensureServers(log);
  const dir = options.dir;
  // A fresh store every time: etcd refuses a data directory bootstrapped for other ports.
  rmSync(join(dir, 'etcd'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pki = await makePki(join(dir, 'pki'));
  const admin = await pki.clientCert('admin', 'smi-e2e-admin', ['system:masters']);
  const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
  const url = `https://127.0.0.1:${securePort}`;

  const etcd = spawn(binary('etcd'), [
    '--name', 'e2e', '--data-dir', join(dir, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-cluster', `e2e=http://127.0.0.1:${etcdPeer}`,
    '--log-level', 'warn', '--quota-backend-bytes', String(2 * 1024 ** 3),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  logTo(dir, 'etcd', etcd);

  const p = (f: string) => join(pki.dir, f);
  const apiArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`, '--bind-address=127.0.0.1', `--secure-port=${securePort}`, '--advertise-address=127.0.0.1',
    `--tls-cert-file=${p('apiserver.crt')}`, `--tls-private-key-file=${p('apiserver.key')}`, `--client-ca-file=${p('ca.crt')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-account-key-file=${p('sa.pub')}`, `--service-account-signing-key-file=${p('sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16', '--endpoint-reconciler-type=none',
    // The aggregation layer: the front proxy's CA and the headers it forwards the user in.
    `--requestheader-client-ca-file=${p('front-proxy-ca.crt')}`, '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User', '--requestheader-group-headers=X-Remote-Group', '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${p('front-proxy-client.crt')}`, `--proxy-client-key-file=${p('front-proxy-client.key')}`,
    '--v=1',
  ];
  let apiserver: ChildProcess | undefined;
  let manager: ChildProcess | undefined;
  const startApi = async () => {
    apiserver = spawn(binary('kube-apiserver'), apiArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    logTo(dir, `kube-apiserver-${Date.now()}`, apiserver);
    await until('kube-apiserver', () => ready(url, pki.ca, admin.cert, admin.key), 90_000, join(dir, 'kube-apiserver-*.log'));
  };
  const stopAll = async () => {
    await stopProcess(manager);
    await stopProcess(apiserver);
    await stopProcess(etcd);
  };
  try {
    await startApi();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigText(url, pki.ca, admin));
    if (options.controllerManager !== false) {
      const kcm = await pki.clientCert('kube-controller-manager', 'system:kube-controller-manager');
      const kcmConfig = join(dir, 'kube-controller-manager.kubeconfig');
      writeFileSync(kcmConfig, kubeconfigText(url, pki.ca, kcm));
      manager = spawn(binary('kube-controller-manager'), [
        `--kubeconfig=${kcmConfig}`, `--authentication-kubeconfig=${kcmConfig}`, `--authorization-kubeconfig=${kcmConfig}`,
        // As kubeadm runs it: each controller with its own ServiceAccount and the bootstrap RBAC for it.
        '--controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token', '--leader-elect=false', '--use-service-account-credentials=true',
        `--service-account-private-key-file=${p('sa.key')}`, `--root-ca-file=${p('ca.crt')}`,
        '--bind-address=127.0.0.1', `--secure-port=${await freePort()}`, '--v=1',
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      logTo(dir, 'kube-controller-manager', manager);
    }
    return {
      url, dir, kubeconfig, pki, admin,
      pid: (server) => (server === 'etcd' ? etcd.pid : apiserver?.pid),
      async restartApiServer() {
        await stopProcess(apiserver);
        await startApi();
      },
      async stop() {
        await stopAll();
        if (!process.env.SMI_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
