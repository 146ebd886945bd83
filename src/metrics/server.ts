/**
 * The TrafficMetrics API over HTTP(S). As an aggregated API it authenticates the aggregation layer
 * by its front-proxy client certificate (front-proxy.ts): every API request needs one, verified,
 * with an allowed name and a user header. Health probes answer without one (the kubelet has none).
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { MetricsApi } from './api.js';
import { authenticate, type FrontProxyTrust } from './front-proxy.js';

export interface MetricsServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly frontProxy?: FrontProxyTrust };
}

export class MetricsServer {
  private server?: Server;
  port = 0;

  constructor(private readonly api: MetricsApi, private readonly options: MetricsServerOptions) {}

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.options.tls;
    this.server = tls
      ? createHttps({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), // Asked for, not required at the handshake: the probes come without one and are told apart by path.
          ...(tls.frontProxy ? { ca: tls.frontProxy.clientCa, requestCert: true, rejectUnauthorized: false } : {}) }, handler)
      : createHttp(handler);
    await new Promise<void>((resolve) => this.server!.listen(this.options.port, this.options.host ?? '0.0.0.0', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections?.();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const reply = (code: number, body: unknown): void => void res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/healthz' || url.pathname === '/readyz') return void res.writeHead(200).end('ok');
    const trust = this.options.tls?.frontProxy;
    if (trust) {
      const socket = req.socket as TLSSocket;
      const cn: unknown = socket.getPeerCertificate?.()?.subject?.CN;
      const answer = authenticate({ verified: socket.authorized, ...(typeof cn === 'string' ? { commonName: cn } : {}) }, req.headersDistinct, trust);
      if ('refused' in answer) return reply(401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 401, reason: 'Unauthorized', message: answer.refused });
    }
    if (req.method !== 'GET') return reply(405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405, reason: 'MethodNotAllowed', message: 'TrafficMetrics are read-only' });
    try {
      const answer = await this.api.get(url.pathname, url.searchParams);
      reply(answer.code, answer.body);
    } catch (e) {
      reply(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: e instanceof Error ? e.message : String(e) });
    }
  }
}
