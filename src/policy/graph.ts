/** The policy graph — identities, allowed edges labelled with routes, splits with weights — as DOT or Mermaid. */
import { identityKey, type PolicyModel } from './model.js';
import { describeMatch } from './http-match.js';

export type GraphFormat = 'dot' | 'mermaid';

/** An edge between nodes `sa:NS/NAME` (ServiceAccounts) or `svc:NS/NAME` (Services). */
export interface GraphEdge {
  from: string;
  to: string;
  /** Everything the edge carries: each route match in full, ports, weights. */
  label: string;
  /** What fits on a drawn edge: route names, ports, a percentage. */
  short: string;
  kind: 'access' | 'split';
}

/** At most `max` items, then how many more. */
const fewOf = (items: readonly string[], max = 2): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} +${items.length - max}`;

export interface PolicyGraph {
  readonly identities: string[];
  readonly services: string[];
  readonly edges: GraphEdge[];
}

/** Identities with an edge per allowed source → destination (labelled with its routes), Services with weighted split edges. */
export function policyGraph(model: PolicyModel): PolicyGraph {
  const accessLabels = new Map<string, { labels: Set<string>; short: Set<string> }>();
  for (const d of model.destinations.values()) {
    for (const t of d.targets) {
      const port = t.legacyPort !== undefined ? ` :${t.legacyPort}` : '';
      // In full for the text and the side panel; by route name (ports for TCP and UDP) on the drawn edge.
      const labels: string[] = [];
      const short: string[] = [];
      const ports = (protocol: string, p: 'all' | ReadonlySet<number>) => `${protocol} ${p === 'all' ? '*' : [...p].join(',')}`;
      if (t.hasHttpRules) {
        labels.push(...t.httpMatches.map(describeMatch));
        short.push(...t.httpMatches.map((m) => m.name));
      } else if (t.tcpPorts !== undefined) {
        labels.push(ports('tcp', t.tcpPorts));
        short.push(ports('tcp', t.tcpPorts));
      }
      if (t.udpPorts !== undefined) {
        labels.push(ports('udp', t.udpPorts));
        short.push(ports('udp', t.udpPorts));
      }
      for (const s of t.sources) {
        const key = `${identityKey(s)}\u0000${identityKey(d.identity)}`;
        let entry = accessLabels.get(key);
        if (!entry) accessLabels.set(key, (entry = { labels: new Set(), short: new Set() }));
        for (const l of labels) entry.labels.add(`${l}${port}`);
        for (const l of short) entry.short.add(`${l}${port}`);
      }
    }
  }
  const out: GraphEdge[] = [];
  for (const [key, { labels, short }] of [...accessLabels].sort(([a], [b]) => a.localeCompare(b))) {
    const [from = '', to = ''] = key.split('\u0000');
    out.push({ from: `sa:${from}`, to: `sa:${to}`, label: [...labels].join('\n') || '(nothing resolves)', short: fewOf([...short]) || '(nothing)', kind: 'access' });
  }
  const services = new Set<string>();
  for (const [root, split] of [...model.splits].sort(([a], [b]) => a.localeCompare(b))) {
    services.add(root);
    const total = split.backends.reduce((s, b) => s + b.weight, 0) || 1;
    for (const b of split.backends) {
      const backend = `${split.namespace}/${b.service}`;
      services.add(backend);
      const when = split.matches ? ' (matching requests)' : '';
      const share = `${((100 * b.weight) / total).toFixed(1).replace(/\.0$/, '')}%`;
      out.push({ from: `svc:${root}`, to: `svc:${backend}`, label: `${b.weight} (${((100 * b.weight) / total).toFixed(1)}%)${when}`, short: split.matches ? `${share} (matching)` : share, kind: 'split' });
    }
  }
  const identities = new Set(model.identities.map(identityKey));
  for (const e of out) if (e.kind === 'access') [e.from, e.to].forEach((n) => identities.add(n.slice(3)));
  return { identities: [...identities].sort(), services: [...services].sort(), edges: out };
}

const dotQuote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function renderGraph(model: PolicyModel, format: GraphFormat): string {
  const g = policyGraph(model);
  if (format === 'dot') {
    const lines = ['digraph smi {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
    for (const i of g.identities) lines.push(`  ${dotQuote(`sa:${i}`)} [label=${dotQuote(`ServiceAccount\n${i}`)}, shape=ellipse];`);
    for (const s of g.services) lines.push(`  ${dotQuote(`svc:${s}`)} [label=${dotQuote(`Service\n${s}`)}, shape=box];`);
    for (const e of g.edges) lines.push(`  ${dotQuote(e.from)} -> ${dotQuote(e.to)} [label=${dotQuote(e.label)}${e.kind === 'split' ? ', style=dashed' : ''}];`);
    lines.push('}');
    return `${lines.join('\n')}\n`;
  }
  // Mermaid ids must be simple; labels carry the names.
  const ids = new Map<string, string>();
  const id = (node: string) => {
    let v = ids.get(node);
    if (!v) {
      v = `n${ids.size}`;
      ids.set(node, v);
    }
    return v;
  };
  const text = (s: string) => s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>');
  const lines = ['flowchart LR'];
  for (const i of g.identities) lines.push(`  ${id(`sa:${i}`)}(["${text(`ServiceAccount ${i}`)}"])`);
  for (const s of g.services) lines.push(`  ${id(`svc:${s}`)}["${text(`Service ${s}`)}"]`);
  for (const e of g.edges) lines.push(`  ${id(e.from)} ${e.kind === 'split' ? '-.' : '--'}"${text(e.label)}"${e.kind === 'split' ? '.->' : '-->'} ${id(e.to)}`);
  return `${lines.join('\n')}\n`;
}
