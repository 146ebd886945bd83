/** Whether a generated HTTPRouteGroup match takes a request, by SMI's own matcher (tests of smi routes). */
import { compileMatch } from '../../src/policy/http-match.js';
import { httpParts } from '../../src/policy/request.js';

export type Match = { name: string; methods: string[]; pathRegex: string };

const GROUP = { kind: 'HTTPRouteGroup', namespace: 'n', name: 'g', file: 'test', line: 1 };

export function fits(m: Match, method: string, path: string): boolean {
  const c = compileMatch(GROUP, m as never);
  return c.methods!.has(method) && c.path(httpParts(method, path, []).path);
}
