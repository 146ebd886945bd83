/** Label and field selectors as the API server parses them (the set-based grammar included). */
type Requirement = (labels: Record<string, string>) => boolean;

export class SelectorError extends Error {}

function splitTerms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of selector) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

export function parseLabelSelector(selector: string | undefined): Requirement {
  if (!selector) return () => true;
  const reqs: Requirement[] = splitTerms(selector).map((term) => {
    let m = /^([A-Za-z0-9._/-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const key = m[1]!;
      const values = new Set(m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== ''));
      return m[2] === 'in' ? (l) => l[key] !== undefined && values.has(l[key]!) : (l) => l[key] === undefined || !values.has(l[key]!);
    }
    m = /^([A-Za-z0-9._/-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
    if (m) {
      const [, key, op, value] = m;
      return op === '!=' ? (l) => l[key!] !== value : (l) => l[key!] === value;
    }
    m = /^(!?)([A-Za-z0-9._/-]+)$/.exec(term);
    if (m) return m[1] === '!' ? (l) => l[m![2]!] === undefined : (l) => l[m![2]!] !== undefined;
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
  return (labels) => reqs.every((r) => r(labels));
}

/** Field selectors: metadata.name and metadata.namespace, = / == / !=, as every type supports. */
export function parseFieldSelector(selector: string | undefined): (o: { metadata: { name: string; namespace?: string } }) => boolean {
  if (!selector) return () => true;
  const reqs = splitTerms(selector).map((term) => {
    const m = /^(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`field label not supported: ${term.split(/[=!]/)[0]}`);
    const [, field, op, value] = m;
    const get = (o: { metadata: { name: string; namespace?: string } }) => (field === 'metadata.name' ? o.metadata.name : o.metadata.namespace ?? '');
    return op === '!=' ? (o: { metadata: { name: string; namespace?: string } }) => get(o) !== value : (o: { metadata: { name: string; namespace?: string } }) => get(o) === value;
  });
  return (o) => reqs.every((r) => r(o));
}
