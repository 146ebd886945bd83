/**
 * The webhook server: HTTPS only, POST /validate (AdmissionReview) and POST /convert
 * (ConversionReview), JSON in and out. Malformed or oversized bodies get a 4xx with a Status body,
 * never a crash; bodies over the limit are cut off while they stream in.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { admit, BadReview, parseAdmissionReview, type ClusterView } from './admission.js';
import { convert, parseConversionReview } from './conversion.js';
import { CertificateFiles, expiryWarning } from './tls.js';
import { answerAndClose, guarded, readBody, requestUrl } from '../http/guard.js';
import { depthExceeds, MAX_NESTING } from '../api/parse.js';

export interface WebhookOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly port: number;
  readonly host?: string;
  /** Largest request body accepted, in bytes (kube-apiserver sends at most ~3 MiB objects). */
  readonly maxBodyBytes?: number;
  readonly cluster?: ClusterView;
  readonly reloadIntervalMs?: number;
  readonly onError?: (e: unknown) => void;
  /** Where a warning about the server itself goes (a serving certificate about to expire). */
  readonly onWarning?: (message: string) => void;
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });

export class WebhookServer {
  private server?: Server;
  private expiryTimer?: NodeJS.Timeout;
  readonly certificates: CertificateFiles;
  port = 0;

  constructor(private readonly options: WebhookOptions) {
    this.certificates = new CertificateFiles(options.certFile, options.keyFile);
  }

  async start(): Promise<this> {
    const { cert, key } = this.certificates.load();
    let current = cert;
    const checkExpiry = () => {
      const warning = expiryWarning(current);
      if (warning) this.options.onWarning?.(warning);
    };
    checkExpiry();
    this.expiryTimer = setInterval(checkExpiry, 86_400_000);
    this.expiryTimer.unref();
    this.server = createServer({ cert, key, minVersion: 'TLSv1.2' }, guarded((req, res) => this.handle(req, res), (e) => this.options.onError?.(e)));
    // kube-apiserver keeps its connections to a webhook open up to 90 s idle (Go's IdleConnTimeout):
    // closing them sooner (Node's default is 5 s) races its next request on the same connection and
    // makes it reconnect — a TLS handshake on the admission path.
    this.server.keepAliveTimeout = 120_000;
    this.server.headersTimeout = 125_000;
    this.certificates.watch(({ cert, key }) => {
      this.server?.setSecureContext({ cert, key });
      current = cert;
      checkExpiry();
    }, (e) => this.options.onError?.(e), this.options.reloadIntervalMs);
    await new Promise<void>((resolve) => this.server!.listen(this.options.port, this.options.host ?? '0.0.0.0', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.certificates.stop();
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (code: number, body: unknown) => {
      if (res.headersSent) return;
      res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      if (req.method !== 'POST') return reply(405, status(405, 'MethodNotAllowed', 'only POST is served'));
      // kube-apiserver appends ?timeout=10s (the webhook's timeoutSeconds): route by the path alone.
      const url = requestUrl(req);
      if (!url) return reply(400, status(400, 'BadRequest', 'the request target is not a valid URL'));
      const path = url.pathname;
      if (path !== '/validate' && path !== '/convert') return reply(404, status(404, 'NotFound', `no webhook at ${path}; use /validate or /convert`));
      if (!String(req.headers['content-type'] ?? '').includes('json')) return reply(415, status(415, 'UnsupportedMediaType', 'reviews are JSON'));
      const limit = this.options.maxBodyBytes ?? 3 * 1024 * 1024;
      const text = await readBody(req, limit);
      if (text === undefined) {
        // Cut off: the rest of the body is never read.
        return answerAndClose(res, 413, 'application/json', JSON.stringify(status(413, 'RequestEntityTooLarge', `the review is larger than ${limit} bytes`)));
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return reply(400, status(400, 'BadRequest', 'the body is not JSON'));
      }
      // Kubernetes objects are shallow; a deeply nested body would only exhaust the stack later.
      if (depthExceeds(body, MAX_NESTING)) return reply(400, status(400, 'BadRequest', `the body nests deeper than ${MAX_NESTING} levels`));
      if (path === '/validate') return reply(200, admit(parseAdmissionReview(body), this.options.cluster));
      return reply(200, convert(parseConversionReview(body)));
    } catch (e) {
      if (e instanceof BadReview) return reply(400, status(400, 'BadRequest', e.message));
      this.options.onError?.(e);
      reply(500, status(500, 'InternalError', e instanceof Error ? e.message : String(e)));
    }
  }
}
