/**
 * Existing HTTPRouteGroups against an API description (pure): operations no match covers, matches
 * that cover no operation, and matches wider than the operations they cover — with a request that
 * shows it. An operation is its exact path regex (path-template.ts) and method; a match is judged by
 * SMI's own matcher on sample requests: each operation's sample path, and near misses of it (a
 * segment more, a character more, the parent path), under every method.
 */
import { compileStartAnchored } from '../api/re2.js';
import { compileMatch } from '../policy/http-match.js';
import type { CompiledMatch, Provenance } from '../policy/model.js';
import { httpParts } from '../policy/request.js';
import { METHODS, type Operation } from './openapi.js';
import { templateRegex, type PathParameter } from './path-template.js';

export interface AuditedMatch {
  readonly group: Provenance;
  readonly match: Parameters<typeof compileMatch>[1];
}

export type Finding =
  | { readonly kind: 'uncovered-operation'; readonly operation: string; readonly example: string }
  | { readonly kind: 'unused-match'; readonly match: string; readonly where: string }
  | { readonly kind: 'wider-match'; readonly match: string; readonly where: string; readonly example: string };

const ALL_METHODS = METHODS.map((m) => m.toUpperCase());

/** A value each parameter's schema accepts. */
function sample(p: PathParameter | undefined): string {
  const e = p?.schema?.enum?.find((v) => typeof v === 'string' || typeof v === 'number');
  if (e !== undefined) return String(e);
  const type = Array.isArray(p?.schema?.type) ? undefined : p?.schema?.type;
  return type === 'integer' || type === 'number' ? '1' : 'x';
}

function samplePaths(op: Operation): string[] {
  const byName = new Map(op.parameters.map((p) => [p.name, p]));
  const filled = op.template.replace(/\{([^{}]+)\}/g, (_, name: string) => sample(byName.get(name)));
  return op.basePaths.map((b) => `${b.replace(/\/+$/, '')}${filled.startsWith('/') ? '' : '/'}${filled}`);
}

interface Described { readonly op: Operation; readonly label: string; readonly paths: string[]; readonly fits: (path: string) => boolean }

function describe(ops: readonly Operation[]): Described[] {
  return ops.flatMap((op) => {
    const regexes = op.basePaths.map((b) => templateRegex(b, op.template, op.parameters)).flatMap((r) => ('regex' in r ? [compileStartAnchored(r.regex)] : []));
    if (regexes.length === 0) return [];
    return [{ op, label: `${op.method} ${op.template}`, paths: samplePaths(op), fits: (path: string) => regexes.some((f) => f(path)) }];
  });
}

const accepts = (m: CompiledMatch, method: string, path: string) => m.headers.length === 0 && (m.methods === undefined || m.methods.has(method)) && m.path(httpParts(method, path, []).path);

/** The findings, and the matches not judged (those with header conditions), by name. */
export function auditRouteGroups(matches: readonly AuditedMatch[], operations: readonly Operation[]): { findings: Finding[]; notJudged: string[] } {
  const ops = describe(operations);
  const compiled = matches.map((m) => ({ m, c: compileMatch(m.group, m.match), label: `${m.group.namespace}/${m.group.name}#${m.match.name}`, where: m.group.line ? `${m.group.file}:${m.group.line}` : m.group.file }));
  const findings: Finding[] = [];
  const notJudged = compiled.filter((x) => x.c.headers.length > 0).map((x) => x.label);
  for (const d of ops) {
    const covered = d.paths.some((p) => compiled.some((x) => accepts(x.c, d.op.method, p)));
    if (!covered) findings.push({ kind: 'uncovered-operation', operation: d.label, example: `${d.op.method} ${d.paths[0]}` });
  }
  const isDescribed = (method: string, path: string) => ops.some((d) => d.op.method === method && d.fits(path));
  // Near misses: a segment more, a character more, the parent, the root, something unlisted.
  const candidates = [...new Set([...ops.flatMap((d) => d.paths.flatMap((p) => [p, `${p}/x`, `${p}x`, p.slice(0, p.lastIndexOf('/')) || '/'])), '/', '/unlisted'])];
  for (const x of compiled) {
    if (x.c.headers.length > 0) continue;
    const coversSome = ops.some((d) => d.paths.some((p) => accepts(x.c, d.op.method, p)));
    if (!coversSome) {
      findings.push({ kind: 'unused-match', match: x.label, where: x.where });
      continue;
    }
    let example: string | undefined;
    for (const path of candidates) {
      for (const method of ALL_METHODS) {
        if (accepts(x.c, method, path) && !isDescribed(method, path)) {
          example = `${method} ${path}`;
          break;
        }
      }
      if (example) break;
    }
    if (example) findings.push({ kind: 'wider-match', match: x.label, where: x.where, example });
  }
  return { findings, notJudged };
}
