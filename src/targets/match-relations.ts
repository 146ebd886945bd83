/**
 * Provable relations between two SMI matches, for meshes that pick one route per request (Linkerd,
 * Gateway API): `covers` (every request fitting the inner match fits the outer one) and `mayOverlap`
 * (some request could fit both). Both err on the safe side: covers only when it is certain, mayOverlap
 * unless disjointness is certain.
 */
import type { CompiledMatch } from '../policy/model.js';
import { regexForms, type LiteralForm } from '../policy/regex-forms.js';

function pathCovers(outer: string | undefined, inner: string | undefined): boolean {
  if (outer === undefined || outer === inner) return true;
  const o = regexForms(outer);
  if (o.kind === 'any') return true;
  if (inner === undefined || o.kind !== 'literals') return false;
  const i = regexForms(inner);
  if (i.kind !== 'literals') return false;
  return i.forms.every((f) => o.forms.some((g) => (g.kind === 'prefix' ? f.value.startsWith(g.value) : f.kind === 'exact' && f.value === g.value)));
}

export function covers(outer: CompiledMatch, inner: CompiledMatch): boolean {
  if (outer.methods !== undefined && (inner.methods === undefined || [...inner.methods].some((m) => !outer.methods!.has(m)))) return false;
  if (!outer.headers.every((h) => inner.headers.some((x) => x.name === h.name && x.regex === h.regex))) return false;
  return pathCovers(outer.pathRegex, inner.pathRegex);
}

const compatible = (a: LiteralForm, b: LiteralForm): boolean =>
  a.kind === 'exact' && b.kind === 'exact' ? a.value === b.value
    : a.kind === 'prefix' && b.kind === 'prefix' ? a.value.startsWith(b.value) || b.value.startsWith(a.value)
      : a.kind === 'prefix' ? b.value.startsWith(a.value) : a.value.startsWith(b.value);

export function mayOverlap(a: CompiledMatch, b: CompiledMatch): boolean {
  if (a.methods !== undefined && b.methods !== undefined && ![...a.methods].some((m) => b.methods!.has(m))) return false;
  const pa = regexForms(a.pathRegex);
  const pb = regexForms(b.pathRegex);
  if (pa.kind === 'literals' && pb.kind === 'literals' && !pa.forms.some((x) => pb.forms.some((y) => compatible(x, y)))) return false;
  for (const h of a.headers) {
    const other = b.headers.find((x) => x.name === h.name);
    if (!other) continue;
    const ha = regexForms(h.regex);
    const hb = regexForms(other.regex);
    if (ha.kind === 'literals' && hb.kind === 'literals' && !ha.forms.some((x) => hb.forms.some((y) => compatible(x, y)))) return false;
  }
  return true;
}
