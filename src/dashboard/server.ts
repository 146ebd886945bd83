/**
 * The dashboard's HTTP edge: read-only, GET only, bound to 127.0.0.1 unless told otherwise. Pages and
 * JSON come from the pure view, what-ifs and explain over the source's current state; /api/events
 * tells the page (Server-Sent Events) when a followed cluster changed, /api/traffic gives live traffic
 * per edge. Every response carries a Content-Security-Policy that allows no inline script or style
 * and nothing from elsewhere.
 */
import { badTarget, guarded, requestUrl } from '../http/guard.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { explain } from '../policy/explain.js';
import type { PolicyModel } from '../policy/model.js';
import { parseWindow } from '../metrics/promql.js';
import { dashboardView, type DashboardView } from './view.js';
import { routeWhatIf, whatIf } from './what-if.js';
import { shownMeshes } from './differences.js';
import { DifferencesJob } from './differences-job.js';
import { GRAPH_STYLE, renderPage, STYLE, type PageQuery } from './page.js';
import { parseQuestion, parseRouteQuestion } from './request.js';
import { fixedSource, type StateSource, type VersionedState } from './source.js';
import type { DashboardState } from './state.js';
import { trafficEdges, type TrafficView } from './traffic.js';
import type { TrafficReader } from './prometheus-traffic.js';

export type { DashboardState } from './state.js';

export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface DashboardOptions {
  /** Live traffic per edge, and the windows the page offers. */
  readonly traffic?: { readonly reader: TrafficReader; readonly windows: readonly string[]; readonly window: string; readonly refreshSeconds: number };
  /** How often an idle event stream gets a comment (keeps proxies from closing it). */
  readonly heartbeatMs?: number;
  /** How long each slice of the differences job may run before the server answers requests again. */
  readonly differencesSliceMs?: number;
  /**
   * Host names (besides localhost and IP literals) a request may name in its Host header. A page of
   * another site that resolves its own name to this address (DNS rebinding) names that site: refused.
   */
  readonly allowedHosts?: readonly string[];
  /** Event streams open at once; past it a new one is refused (503). Default 64. */
  readonly maxEventStreams?: number;
  /** Where a failed request is logged (it is answered with a 500 either way). */
  readonly onError?: (e: unknown) => void;
}

/** The host of a Host header, without its port, lower-cased; undefined when absent. */
function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Whether a request's Host header names this server as a browser on this machine or network would. */
export function hostAllowed(header: string | undefined, allowed: readonly string[] = []): boolean {
  const host = hostOf(header);
  if (host === undefined || host === '') return false;
  return host === 'localhost' || IPV4.test(host) || (host.startsWith('[') && host.endsWith(']')) || allowed.some((a) => a.toLowerCase() === host);
}

export interface RunningDashboard {
  readonly url: string;
  close(): Promise<void>;
}

/** The front end built by web/vite.config.ts into <package>/dist/web, from src/dashboard or dist/dashboard alike. */
function frontEnd(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const file = join(dir, 'dist', 'web', 'app.js');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

const QUERY_KEYS = ['from', 'to', 'port', 'protocol', 'method', 'path', 'headers', 'service'] as const;

const HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, ...HEADERS });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json', `${JSON.stringify(value, null, 2)}\n`);

function explainOf(model: PolicyModel, to: string | undefined) {
  const [namespace, name] = (to ?? '').split('/');
  return namespace && name ? explain(model, { namespace, name }) : undefined;
}

/**
 * The view of the current version: built once per version, with the differences its job has found so
 * far. A new version cancels the old version's job and starts its own; listeners hear when a job is done.
 */
class CurrentView {
  private base: { version: number; view: DashboardView } | undefined;
  private job: DifferencesJob;
  private readonly listeners = new Set<(v: VersionedState) => void>();

  constructor(source: StateSource, private readonly sliceMs?: number) {
    this.job = this.start(source.current());
    source.subscribe((v) => {
      this.job.cancel();
      this.job = this.start(v);
    });
  }

  private start(v: VersionedState): DifferencesJob {
    return new DifferencesJob(v, (job) => { for (const l of this.listeners) l(job.version); }, this.sliceMs);
  }

  complete(v: VersionedState): boolean {
    return this.job.version.version === v.version && this.job.complete;
  }

  onDifferences(listener: (v: VersionedState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  of(v: VersionedState): DashboardView {
    if (this.base?.version !== v.version) {
      const { model, input, sides } = v.state;
      this.base = { version: v.version, view: dashboardView(model, input, shownMeshes(sides)) };
    }
    const job = this.job.version.version === v.version ? this.job : undefined;
    return {
      ...this.base.view,
      differences: job?.differences() ?? [],
      differencesProgress: { ...(job?.progress ?? { done: 0, total: 0, requests: 0 }), complete: job?.complete ?? false },
    };
  }
}

/** Server-Sent Events: the current version at once, then each new one, and when its differences are complete. */
function events(source: StateSource, views: CurrentView, req: IncomingMessage, res: ServerResponse, heartbeatMs: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', ...HEADERS });
  const say = (event: string) => (v: VersionedState) => res.write(`event: ${event}\ndata: ${JSON.stringify({ version: v.version, at: v.at })}\n\n`);
  say('version')(source.current());
  // A page rendered before its differences were complete hears that they are, even if that was before it listened.
  if (views.complete(source.current())) say('differences')(source.current());
  const unsubscribe = [source.subscribe(say('version')), views.onDifferences(say('differences'))];
  const heartbeat = setInterval(() => res.write(': still here\n\n'), heartbeatMs);
  req.on('close', () => {
    unsubscribe.forEach((u) => u());
    clearInterval(heartbeat);
  });
}

async function traffic(state: DashboardState, view: DashboardView, t: NonNullable<DashboardOptions['traffic']>, window: string): Promise<TrafficView> {
  const at = new Date().toISOString();
  try {
    const observed = await t.reader.read(window);
    return { mesh: t.reader.mesh, window, at, edges: trafficEdges(state.model, view.edges, observed) };
  } catch (e) {
    return { mesh: t.reader.mesh, window, at, edges: [], error: e instanceof Error ? e.message : String(e) };
  }
}

export function handler(from: DashboardState | StateSource, options: DashboardOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const source = 'current' in from ? from : fixedSource(from);
  const app = frontEnd();
  const views = new CurrentView(source, options.differencesSliceMs);
  const viewOf = (v: VersionedState) => views.of(v);
  let streams = 0;
  const maxStreams = options.maxEventStreams ?? 64;
  return guarded((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'the dashboard is read-only: GET only\n');
    if (!hostAllowed(req.headers.host, options.allowedHosts)) {
      return send(res, 403, 'text/plain', `Host ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))} is not this dashboard's: open it by IP address or localhost, or start it with --allowed-host NAME\n`);
    }
    const url = requestUrl(req);
    if (!url) return badTarget(res);
    const query: PageQuery = Object.fromEntries(QUERY_KEYS.flatMap((k) => (url.searchParams.has(k) ? [[k, url.searchParams.get(k) ?? '']] : [])));
    const current = source.current();
    const { model, sides } = current.state;
    switch (url.pathname) {
      case '/': {
        const routeAsked = query.service !== undefined;
        const asked = !routeAsked && query.from !== undefined && query.to !== undefined;
        const question = asked ? parseQuestion(query) : undefined;
        const result = question === undefined ? undefined : 'error' in question ? question : whatIf(model, question, sides);
        const routeQuestion = routeAsked ? parseRouteQuestion(query) : undefined;
        const routed = routeQuestion === undefined ? undefined : 'error' in routeQuestion ? routeQuestion : routeWhatIf(model, routeQuestion, sides);
        const explained = asked || routeAsked ? undefined : explainOf(model, query.to);
        const t = options.traffic;
        return send(res, 200, 'text/html', renderPage(viewOf(current), query, {
          ...(result ? { result } : {}), ...(routed ? { routed } : {}), ...(explained ? { explained } : {}),
          source: { origin: source.origin, live: source.live, version: current.version, at: current.at },
          ...(t ? { traffic: { mesh: t.reader.mesh, windows: t.windows, window: t.window, refreshSeconds: t.refreshSeconds } } : {}),
        }));
      }
      case '/style.css': return send(res, 200, 'text/css', STYLE);
      case '/graph.css': return send(res, 200, 'text/css', GRAPH_STYLE);
      case '/app.js': return app === undefined ? send(res, 404, 'text/plain', 'the front end is not built: npm run build\n') : send(res, 200, 'text/javascript', app);
      case '/api/view': return json(res, 200, { version: current.version, at: current.at, ...viewOf(current) });
      case '/api/events': {
        if (streams >= maxStreams) return send(res, 503, 'text/plain', `${maxStreams} event streams are open already\n`);
        streams++;
        req.on('close', () => streams--);
        return events(source, views, req, res, options.heartbeatMs ?? 15_000);
      }
      case '/api/check': {
        const question = parseQuestion(query);
        return 'error' in question ? json(res, 400, question) : json(res, 200, whatIf(model, question, sides));
      }
      case '/api/route': {
        const question = parseRouteQuestion(query);
        return 'error' in question ? json(res, 400, question) : json(res, 200, routeWhatIf(model, question, sides));
      }
      case '/api/explain': {
        const e = explainOf(model, query.to);
        return e ? json(res, 200, e) : json(res, 400, { error: 'to: give NS/SERVICEACCOUNT' });
      }
      case '/api/traffic': {
        const t = options.traffic;
        if (!t) return json(res, 404, { error: 'no metrics source: start smi dashboard with --prometheus-url' });
        const window = parseWindow(url.searchParams.get('window') ?? t.window);
        if (!window) return json(res, 400, { error: 'window: a duration such as 30s, 5m or 1h' });
        return traffic(current.state, viewOf(current), t, window).then((v) => json(res, v.error ? 502 : 200, v));
      }
      default: return send(res, 404, 'text/plain', 'not found\n');
    }
  }, (e) => options.onError?.(e));
}

export async function startDashboard(from: DashboardState | StateSource, listen: { host: string; port: number }, options: DashboardOptions = {}): Promise<RunningDashboard> {
  const server: Server = createServer(handler(from, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Event streams stay open until their page goes: end them.
      server.closeAllConnections();
    }),
  };
}
