/**
 * The TrafficMetrics API over HTTP(S). As an aggregated API it authenticates the aggregation layer
 * by its front-proxy client certificate (front-proxy.ts): every API request needs one, verified,
 * with an allowed name and a user header — or, with token reviews, a bearer token the cluster
 * knows. With an authorizer, each request is then authorized for that user by the cluster
 * (access.ts), as Kubernetes' own aggregated servers do. Health probes answer without either.
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { GROUP, type MetricsApi } from './api.js';
import { authenticate, type FrontProxyTrust } from './front-proxy.js';
import { accessAttributes, forbiddenMessage } from './access.js';
import type { Authorizer, RequestUser, TokenAuthenticator } from '../kube/delegated-auth.js';
import { badTarget, guarded, requestUrl } from '../http/guard.js';

export interface MetricsServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly frontProxy?: FrontProxyTrust };
  /** Delegated authorization (SubjectAccessReview) of every API request, and bearer tokens (TokenReview). */
  readonly access?: { readonly authorize: Authorizer; readonly tokens?: TokenAuthenticator };
  /** Where a failed request is logged (it is answered with a 500 either way). */
  readonly onError?: (e: unknown) => void;
}

const AUTHENTICATED = 'system:authenticated';
const servesPath = (path: string): boolean => path === `/apis/${GROUP}` || path.startsWith(`/apis/${GROUP}/`);

const failure = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });

export class MetricsServer {
  private server?: Server;
  port = 0;

  constructor(private readonly api: MetricsApi, private readonly options: MetricsServerOptions) {}

  async start(): Promise<this> {
    const handler = guarded((req: IncomingMessage, res: ServerResponse) => this.handle(req, res), (e) => this.options.onError?.(e));
    const tls = this.options.tls;
    this.server = tls
      ? createHttps({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), // Asked for, not required at the handshake: the probes come without one and are told apart by path.
          ...(tls.frontProxy ? { ca: tls.frontProxy.clientCa, requestCert: true, rejectUnauthorized: false } : {}) }, handler)
      : createHttp(handler);
    // Without TLS nothing authenticates a caller: loopback only, unless the caller chose an address.
    await new Promise<void>((resolve) => this.server!.listen(this.options.port, this.options.host ?? (tls ? '0.0.0.0' : '127.0.0.1'), resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections?.();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (!url) return badTarget(res);
    const reply = (code: number, body: unknown): void => void res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/healthz' || url.pathname === '/readyz') return void res.writeHead(200).end('ok');
    const trust = this.options.tls?.frontProxy;
    let user: RequestUser | undefined;
    if (trust) {
      const socket = req.socket as TLSSocket;
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const tokens = this.options.access?.tokens;
      if (!socket.authorized && bearer !== undefined && tokens) {
        try {
          user = await tokens(bearer);
        } catch (e) {
          return reply(500, failure(500, 'InternalError', `cannot review the bearer token with the cluster: ${e instanceof Error ? e.message : String(e)}`));
        }
        if (!user) return reply(401, failure(401, 'Unauthorized', 'the bearer token is not valid in this cluster'));
      } else {
        const cn: unknown = socket.getPeerCertificate?.()?.subject?.CN;
        const answer = authenticate({ verified: socket.authorized, ...(typeof cn === 'string' ? { commonName: cn } : {}) }, req.headersDistinct, trust);
        if ('refused' in answer) return reply(401, failure(401, 'Unauthorized', answer.refused));
        user = answer.user;
      }
    }
    const authorize = this.options.access?.authorize;
    // Only the group's paths hold anything; elsewhere (the aggregator's /openapi/v2, /apis) the answer is a 404 for anyone.
    if (user && authorize && servesPath(url.pathname)) {
      // Every authenticated user is in system:authenticated, as Kubernetes' authenticators add it (the
      // aggregator's discovery requests name the user alone; RBAC's system:discovery grants that group).
      if (!user.groups.includes(AUTHENTICATED)) user = { ...user, groups: [...user.groups, AUTHENTICATED] };
      const attributes = accessAttributes(url.pathname);
      let decision;
      try {
        decision = await authorize(user, attributes);
      } catch (e) {
        // Fail closed: no answer from the cluster is no permission.
        return reply(500, failure(500, 'InternalError', `cannot check access with the cluster: ${e instanceof Error ? e.message : String(e)}`));
      }
      if (!decision.allowed) return reply(403, failure(403, 'Forbidden', forbiddenMessage(user, attributes, decision.reason)));
    }
    if (req.method !== 'GET') return reply(405, failure(405, 'MethodNotAllowed', 'TrafficMetrics are read-only'));
    try {
      const answer = await this.api.get(url.pathname, url.searchParams);
      reply(answer.code, answer.body);
    } catch (e) {
      reply(500, failure(500, 'InternalError', e instanceof Error ? e.message : String(e)));
    }
  }
}
