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
import { CertificateFiles } from './tls.js';

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
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });

export class WebhookServer {
  private server?: Server;
  readonly certificates: CertificateFiles;
  port = 0;

  constructor(private readonly options: WebhookOptions) {
    this.certificates = new CertificateFiles(options.certFile, options.keyFile);
  }

  async start(): Promise<this> {
    const { cert, key } = this.certificates.load();
    this.server = createServer({ cert, key, minVersion: 'TLSv1.2' }, (req, res) => void this.handle(req, res));
    // kube-apiserver keeps its connections to a webhook open up to 90 s idle (Go's IdleConnTimeout):
    // closing them sooner (Node's default is 5 s) races its next request on the same connection and
    // makes it reconnect — a TLS handshake on the admission path.
    this.server.keepAliveTimeout = 120_000;
    this.server.headersTimeout = 125_000;
    this.certificates.watch(({ cert, key }) => this.server?.setSecureContext({ cert, key }), (e) => this.options.onError?.(e), this.options.reloadIntervalMs);
    await new Promise<void>((resolve) => this.server!.listen(this.options.port, this.options.host ?? '0.0.0.0', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.certificates.stop();
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
      const path = new URL(req.url ?? '/', 'https://webhook').pathname;
      if (path !== '/validate' && path !== '/convert') return reply(404, status(404, 'NotFound', `no webhook at ${path}; use /validate or /convert`));
      if (!String(req.headers['content-type'] ?? '').includes('json')) return reply(415, status(415, 'UnsupportedMediaType', 'reviews are JSON'));
      const limit = this.options.maxBodyBytes ?? 3 * 1024 * 1024;
      const text = await readLimited(req, limit);
      if (text === undefined) {
        reply(413, status(413, 'RequestEntityTooLarge', `the review is larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return reply(400, status(400, 'BadRequest', 'the body is not JSON'));
      }
      if (path === '/validate') return reply(200, admit(parseAdmissionReview(body), this.options.cluster));
      return reply(200, convert(parseConversionReview(body)));
    } catch (e) {
      if (e instanceof BadReview) return reply(400, status(400, 'BadRequest', e.message));
      this.options.onError?.(e);
      reply(500, status(500, 'InternalError', e instanceof Error ? e.message : String(e)));
    }
  }
}

function readLimited(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
