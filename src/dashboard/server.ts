/**
 * The dashboard's HTTP edge: read-only, GET only, bound to 127.0.0.1 unless told otherwise. Pages and
 * JSON come from the pure view, what-if and explain; every response carries a Content-Security-Policy
 * that allows no inline script or style and nothing from elsewhere.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Diagnostic } from '../api/diagnostic.js';
import { explain } from '../policy/explain.js';
import type { PolicyModel } from '../policy/model.js';
import { dashboardView, type DashboardView } from './view.js';
import { whatIf, type MeshSide } from './what-if.js';
import { meshDifferences, sideLabel } from './differences.js';
import { GRAPH_STYLE, renderPage, STYLE, type PageQuery } from './page.js';
import { parseQuestion } from './request.js';

export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface DashboardState {
  readonly model: PolicyModel;
  readonly input: readonly Diagnostic[];
  readonly sides: readonly MeshSide[];
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

const QUERY_KEYS = ['from', 'to', 'port', 'protocol', 'method', 'path', 'headers'] as const;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json', `${JSON.stringify(value, null, 2)}\n`);

function explainOf(model: PolicyModel, to: string | undefined) {
  const [namespace, name] = (to ?? '').split('/');
  return namespace && name ? explain(model, { namespace, name }) : undefined;
}

export function handler(state: DashboardState): (req: IncomingMessage, res: ServerResponse) => void {
  let view: DashboardView | undefined;
  const app = frontEnd();
  const currentView = () => (view ??= dashboardView(state.model, state.input, new Map(state.sides.map((s) => [sideLabel(s), s.translation])), meshDifferences(state.model, state.sides)));
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'the dashboard is read-only: GET only\n');
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const query: PageQuery = Object.fromEntries(QUERY_KEYS.flatMap((k) => (url.searchParams.has(k) ? [[k, url.searchParams.get(k) ?? '']] : [])));
    switch (url.pathname) {
      case '/': {
        const asked = query.from !== undefined && query.to !== undefined;
        const question = asked ? parseQuestion(query) : undefined;
        const result = question === undefined ? undefined : 'error' in question ? question : whatIf(state.model, question, state.sides);
        return send(res, 200, 'text/html', renderPage(currentView(), query, result, asked ? undefined : explainOf(state.model, query.to)));
      }
      case '/style.css': return send(res, 200, 'text/css', STYLE);
      case '/graph.css': return send(res, 200, 'text/css', GRAPH_STYLE);
      case '/app.js': return app === undefined ? send(res, 404, 'text/plain', 'the front end is not built: npm run build\n') : send(res, 200, 'text/javascript', app);
      case '/api/view': return json(res, 200, currentView());
      case '/api/check': {
        const question = parseQuestion(query);
        return 'error' in question ? json(res, 400, question) : json(res, 200, whatIf(state.model, question, state.sides));
      }
      case '/api/explain': {
        const e = explainOf(state.model, query.to);
        return e ? json(res, 200, e) : json(res, 400, { error: 'to: give NS/SERVICEACCOUNT' });
      }
      default: return send(res, 404, 'text/plain', 'not found\n');
    }
  };
}

export async function startDashboard(state: DashboardState, listen: { host: string; port: number }): Promise<RunningDashboard> {
  const server: Server = createServer(handler(state));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return { url: `http://${host}:${port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
