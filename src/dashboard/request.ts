/** A what-if question from the page's query string, checked (pure): an access or route request, or what is wrong with it. */
import { httpParts, type AccessRequest, type HttpRequestParts, type Protocol, type RouteRequest } from '../policy/request.js';
import type { PageQuery } from './page.js';

const identity = (s: string) => {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(s.trim());
  return m ? { namespace: m[1]!, name: m[3]! } : undefined;
};

interface Common { protocol: Protocol; port?: number; http?: HttpRequestParts }

/** Protocol, port, method, path and headers, as both questions ask them. */
function parseCommon(q: PageQuery): Common | { error: string } {
  const protocol = (q.protocol || 'http') as Protocol;
  if (!['http', 'tcp', 'udp'].includes(protocol)) return { error: `protocol: "${protocol}" is not http, tcp or udp` };
  let port: number | undefined;
  if (q.port && q.port.trim() !== '') {
    port = Number(q.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `port: "${q.port}" is not a port number (1–65535)` };
  }
  const headers: [string, string][] = [];
  for (const h of (q.headers ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const eq = h.indexOf('=');
    if (eq <= 0) return { error: `headers: "${h}" is not name=value` };
    headers.push([h.slice(0, eq).trim(), h.slice(eq + 1).trim()]);
  }
  return {
    protocol, ...(port !== undefined ? { port } : {}),
    ...(protocol === 'http' ? { http: httpParts(q.method?.trim() || 'GET', q.path?.trim() || '/', headers) } : {}),
  };
}

export function parseQuestion(q: PageQuery): AccessRequest | { error: string } {
  const from = q.from?.trim() === 'unauthenticated' ? 'unauthenticated' as const : identity(q.from ?? '');
  if (!from) return { error: `from: "${q.from ?? ''}" is not NS/SERVICEACCOUNT (or unauthenticated)` };
  const to = identity(q.to ?? '');
  if (!to) return { error: `to: "${q.to ?? ''}" is not NS/SERVICEACCOUNT` };
  const common = parseCommon(q);
  return 'error' in common ? common : { source: from, destination: to, ...common };
}

export function parseRouteQuestion(q: PageQuery): RouteRequest | { error: string } {
  const service = identity(q.service ?? '');
  if (!service) return { error: `service: "${q.service ?? ''}" is not NS/SERVICE` };
  const common = parseCommon(q);
  return 'error' in common ? common : { service, ...common };
}
