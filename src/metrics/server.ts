/**
 * The TrafficMetrics API over HTTP(S). As an aggregated API it authenticates the aggregation layer
 * by its front-proxy client certificate (--requestheader-client-ca-file): TLS with a required,
 * verified client certificate; the user the API server authenticated arrives in X-Remote-User.
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { MetricsApi } from './api.js';

export interface MetricsServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile?: string };
}

export class MetricsServer {
  private server?: Server;
  port = 0;

  constructor(private readonly api: MetricsApi, private readonly options: MetricsServerOptions) {}

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.options.tls;
    this.server = tls
      ? createHttps({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), ...(tls.clientCaFile ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: true } : {}) }, handler)
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
    if (req.method !== 'GET') return reply(405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405, reason: 'MethodNotAllowed', message: 'TrafficMetrics are read-only' });
    try {
      const answer = await this.api.get(url.pathname, url.searchParams);
      reply(answer.code, answer.body);
    } catch (e) {
      reply(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: e instanceof Error ? e.message : String(e) });
    }
  }
}
