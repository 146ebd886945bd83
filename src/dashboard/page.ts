/**
 * The dashboard page as HTML (pure): every namespace, identity, Service, edge and diagnostic as text
 * in tables and lists — readable by keyboard, screen readers and tests — and the what-if form with its
 * answer. Served with a Content-Security-Policy that allows no inline script or style.
 */
import type { Explanation } from '../policy/explain.js';
import type { DashboardView } from './view.js';
import type { RouteWhatIf, WhatIf } from './what-if.js';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const name = (node: string) => node.slice(node.indexOf(':') + 1);

export interface PageQuery {
  readonly from?: string;
  readonly to?: string;
  readonly port?: string;
  readonly protocol?: string;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: string;
  /** The root Service of a route question. */
  readonly service?: string;
}

/** What the page shows besides the view: answers asked for, where the state comes from, live traffic. */
export interface PageParts {
  readonly result?: WhatIf | { error: string };
  readonly routed?: RouteWhatIf | { error: string };
  readonly explained?: Explanation;
  readonly source: { readonly origin: string; readonly live: boolean; readonly version: number; readonly at: string };
  /** With a metrics source: whose metrics, the windows offered and the one shown first. */
  readonly traffic?: { readonly mesh: string; readonly windows: readonly string[]; readonly window: string; readonly refreshSeconds: number };
}

function whatIfForm(q: PageQuery, identities: readonly string[]): string {
  const field = (id: keyof PageQuery, label: string, hint = '') =>
    `<label for="${id}">${label}</label><input id="${id}" name="${id}" value="${escape(q[id] ?? '')}"${hint ? ` placeholder="${escape(hint)}"` : ''}${id === 'from' || id === 'to' ? ' list="identities" required' : ''}>`;
  return `<form method="get" action="/" aria-label="what if">
<datalist id="identities">${identities.map((i) => `<option value="${escape(name(i))}">`).join('')}</datalist>
${field('from', 'From', 'NS/SA or unauthenticated')}${field('to', 'To', 'NS/SA')}${field('port', 'Port', '8080')}
<label for="protocol">Protocol</label><select id="protocol" name="protocol">${['http', 'tcp', 'udp'].map((p) => `<option${(q.protocol ?? 'http') === p ? ' selected' : ''}>${p}</option>`).join('')}</select>
${field('method', 'Method', 'GET')}${field('path', 'Path', '/')}${field('headers', 'Headers', 'name=value, name=value')}
<button type="submit">Check</button></form>`;
}

function routeForm(q: PageQuery, services: readonly string[]): string {
  // Its own ids (the access form has #port, #path…); the same query names.
  const field = (id: keyof PageQuery, label: string, hint = '') =>
    `<label for="route-${id}">${label}</label><input id="route-${id}" name="${id}" value="${escape(q.service !== undefined ? (q[id] ?? '') : '')}"${hint ? ` placeholder="${escape(hint)}"` : ''}${id === 'service' ? ' list="services" required' : ''}>`;
  const protocol = q.service !== undefined ? (q.protocol ?? 'http') : 'http';
  return `<form method="get" action="/" aria-label="where does it go">
<datalist id="services">${services.map((s) => `<option value="${escape(name(s))}">`).join('')}</datalist>
${field('service', 'Service', 'NS/SERVICE')}${field('port', 'Port', 'the only one')}
<label for="route-protocol">Protocol</label><select id="route-protocol" name="protocol">${['http', 'tcp', 'udp'].map((p) => `<option${protocol === p ? ' selected' : ''}>${p}</option>`).join('')}</select>
${field('method', 'Method', 'GET')}${field('path', 'Path', '/')}${field('headers', 'Headers', 'name=value, name=value')}
<button type="submit">Route</button></form>`;
}

const shareList = (b: RouteWhatIf['smi']['backends']) => (b.length === 0 ? 'no backend' : b.map((x) => `${escape(x.service)} ${(x.share * 100).toFixed(1)}%`).join(', '));

function routeAnswer(r: RouteWhatIf): string {
  const rows = r.meshes.map((m) => `<tr${m.differs ? ' class="differs"' : ''}><th scope="row">${escape(m.mesh)}</th><td>${shareList(m.backends)}</td><td>${m.differs ? 'differs from SMI' : 'same as SMI'}</td><td><ul>${m.reasons.map((x) => `<li>${escape(x)}</li>`).join('')}</ul></td></tr>`).join('');
  return `<section id="route-answer" aria-live="polite"><h2>Where it goes</h2>
<p id="smi-route"><strong>SMI: ${shareList(r.smi.backends)}</strong>${r.smi.split ? ` (${escape(r.smi.split)})` : ''}</p><ul>${r.smi.reasons.map((x) => `<li>${escape(x)}</li>`).join('')}</ul>
${r.meshes.length > 0 ? `<table id="mesh-routes"><caption>Each mesh, as it would route with smi's resources</caption><thead><tr><th scope="col">mesh</th><th scope="col">backends</th><th scope="col">vs SMI</th><th scope="col">why</th></tr></thead><tbody>${rows}</tbody></table>` : ''}</section>`;
}

function trafficSection(t: NonNullable<PageParts['traffic']>): string {
  return `<section id="traffic"><h2>Live traffic (${escape(t.mesh)} metrics)</h2>
<label for="traffic-window">Window</label> <select id="traffic-window">${t.windows.map((w) => `<option${w === t.window ? ' selected' : ''}>${escape(w)}</option>`).join('')}</select>
<span id="traffic-status" role="status" data-refresh="${t.refreshSeconds}"></span>
<table id="traffic-table"><thead><tr><th scope="col">from</th><th scope="col">to</th><th scope="col">workloads</th><th scope="col">requests/s</th><th scope="col">success</th><th scope="col">p99</th><th scope="col">connections/s · closed cleanly</th><th scope="col">in the policy</th></tr></thead><tbody></tbody></table></section>`;
}

function answer(w: WhatIf): string {
  const rows = w.meshes.map((m) => `<tr${m.differs ? ' class="differs"' : ''}><th scope="row">${escape(m.mesh)}${m.fenced ? ' + fence' : ''}</th><td>${escape(m.answer)}</td><td>${m.differs ? 'differs from SMI' : 'same as SMI'}</td><td><ul>${m.reasons.map((r) => `<li>${escape(r)}</li>`).join('')}</ul></td></tr>`).join('');
  return `<section id="answer" aria-live="polite"><h2>Answer</h2>
<p id="smi-answer"><strong>SMI: ${w.smi.allowed ? 'ALLOW' : 'DENY'}</strong></p><ul>${w.smi.reasons.map((r) => `<li>${escape(r)}</li>`).join('')}</ul>
${w.meshes.length > 0 ? `<table id="mesh-answers"><caption>Each mesh, as it would decide with smi's resources</caption><thead><tr><th scope="col">mesh</th><th scope="col">answer</th><th scope="col">vs SMI</th><th scope="col">why</th></tr></thead><tbody>${rows}</tbody></table>` : ''}</section>`;
}

function explanation(e: Explanation): string {
  const rows = e.access.map((r) => `<tr><td>${escape(r.source)}</td><td>${escape(r.protocol)}</td><td>${escape(r.ports)}</td><td>${escape(r.methods)}</td><td>${escape(r.path)}</td><td>${escape(r.headers)}</td><td>${escape(r.via)}</td><td>${escape(r.where)}</td></tr>`).join('');
  return `<section id="explain"><h2>Who may call ${escape(e.destination)}</h2><p>${escape(e.otherwise)}</p>
<table id="explain-access"><thead><tr>${['source', 'protocol', 'ports', 'methods', 'path', 'headers', 'granted by', 'where'].map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

function progress(view: DashboardView): string {
  const p = view.differencesProgress;
  if (p.complete || view.differences.length === 0) return '';
  return `<p role="status">Asking each mesh the telling requests: ${p.done} of ${p.total} destination(s) so far (${p.requests} requests each); the list fills in and the page updates itself when it is complete.</p>`;
}

/** What each mesh carries of SMI with the options it is shown with: the target's own feature table. */
function featuresSection(view: DashboardView): string {
  if (view.meshFeatures.length === 0) return '';
  const table = (m: DashboardView['meshFeatures'][number]) => `<table class="mesh-features" data-mesh="${escape(m.mesh)}"><caption>${escape(m.mesh)}</caption><thead><tr><th scope="col">SMI feature</th><th scope="col">support</th><th scope="col">what is lost</th></tr></thead><tbody>${
    m.features.map((f) => `<tr class="${f.support}" data-feature="${escape(f.feature)}"><td>${escape(f.what)}</td><td>${f.support}</td><td>${escape(f.note ?? '')}</td></tr>`).join('')}</tbody></table>`;
  return `<section id="mesh-features"><h2>What each mesh carries of SMI</h2>${view.meshFeatures.map(table).join('')}</section>`;
}

export function renderPage(view: DashboardView, query: PageQuery, parts: PageParts): string {
  const { result, routed, explained, source, traffic } = parts;
  const identities = view.namespaces.flatMap((n) => n.identities);
  const services = view.namespaces.flatMap((n) => n.services);
  const namespaces = view.namespaces.map((n) => `<li><h3>${escape(n.name)} <small>${n.inScope ? 'in scope' : 'left alone'}${n.why ? ` (${escape(n.why)})` : ''}</small></h3>
<ul>${n.identities.map((i) => `<li><a href="/?to=${encodeURIComponent(name(i))}#explain">ServiceAccount ${escape(name(i))}</a></li>`).join('')}${n.services.map((s) => `<li>Service ${escape(name(s))}</li>`).join('')}</ul></li>`).join('');
  const edges = view.edges.map((e) => `<tr class="${e.kind}"><td>${escape(name(e.from))}</td><td>${escape(name(e.to))}</td><td>${e.kind === 'access' ? 'may call' : 'splits to'}</td><td>${escape(e.label).replace(/\n/g, '<br>')}</td></tr>`).join('');
  const diagnostics = view.diagnostics.map((d) => `<li class="${d.severity}"><strong>${escape(d.severity)} ${escape(d.code)}</strong>${d.mesh ? ` [${escape(d.mesh)}]` : ''}${d.where ? ` <code>${escape(d.where)}</code>` : ''}: ${escape(d.message)}${d.nodes.length > 0 ? ` <span class="nodes">(${d.nodes.map((n) => escape(name(n))).join(', ')})</span>` : ''}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>smi dashboard</title><link rel="stylesheet" href="/style.css"><link rel="stylesheet" id="__________cytoscape_stylesheet" href="/graph.css"></head>
<body data-version="${source.version}" data-live="${source.live}"><header><h1>smi dashboard</h1><p>${escape(view.mode)} mode${view.meshes.length > 0 ? `; meshes: ${view.meshes.map(escape).join(', ')}` : ''}</p>
<p id="source-status" role="status">${source.live ? `Following ${escape(source.origin)}: version ${source.version}, built ${escape(source.at)}` : `From ${escape(source.origin)}, read at ${escape(source.at)}`}</p></header>
<main>
<section id="graph-section"><h2>Graph</h2>
<label for="graph-search">Search</label> <input id="graph-search" type="search" placeholder="namespace/name">
<label for="graph-namespace">Namespace</label> <select id="graph-namespace"><option value="">all</option>${view.namespaces.map((n) => `<option>${escape(n.name)}</option>`).join('')}</select>
<label for="graph-kind">Kind</label> <select id="graph-kind"><option value="">all</option><option value="identity">ServiceAccounts</option><option value="service">Services</option></select>
<button type="button" id="graph-collapse">Collapse namespaces</button> <button type="button" id="graph-expand">Expand all</button>
<label for="graph-differs">Only where</label> <select id="graph-differs"><option value="">—</option>${view.differences.map((m) => `<option value="${escape(m.mesh)}">${escape(m.mesh)} differs</option>`).join('')}</select>
<span id="graph-status" role="status"></span>
<div id="graph-area"><div id="graph" role="img" aria-label="The policy graph: the same identities, Services and edges are listed as text below"><noscript><p>The graph is drawn with JavaScript, which is off. Everything it shows is also here as text: the <a href="#namespaces">namespaces</a> with their ServiceAccounts and Services, and the <a href="#edges">edges</a> with their routes, ports and weights.</p></noscript></div>
<aside id="graph-details" aria-live="polite"><h3>Details</h3><p>Click an edge for its routes, ports or weights in full; click a ServiceAccount for who may call it.</p></aside></div>
${LEGEND}</section>
${traffic ? trafficSection(traffic) : ''}
<section id="what-if"><h2>What if</h2>${whatIfForm(query.service === undefined ? query : {}, identities)}</section>
${result ? ('error' in result ? `<section id="answer" aria-live="polite"><h2>Answer</h2><p role="alert">${escape(result.error)}</p></section>` : answer(result)) : ''}
<section id="route-what-if"><h2>Where does it go</h2>${routeForm(query, services)}</section>
${routed ? ('error' in routed ? `<section id="route-answer" aria-live="polite"><h2>Where it goes</h2><p role="alert">${escape(routed.error)}</p></section>` : routeAnswer(routed)) : ''}
${explained ? explanation(explained) : ''}
<section id="namespaces"><h2>Namespaces</h2><ul>${namespaces}</ul></section>
<section id="edges"><h2>Edges</h2><table id="edge-table"><thead><tr><th scope="col">from</th><th scope="col">to</th><th scope="col">kind</th><th scope="col">ports, routes, weights</th></tr></thead><tbody>${edges}</tbody></table></section>
<section id="differences" data-complete="${view.differencesProgress.complete}"><h2>Where meshes differ from SMI</h2>${progress(view)}${view.differences.length === 0 ? '<p>No mesh selected (--mesh).</p>' : view.differences.map((m) => `<h3>${escape(m.mesh)}</h3>${m.destinations.length === 0 ? '<p>Same answers as SMI on every request asked.</p>' : `<ul>${m.destinations.map((d) => `<li><a href="/?to=${encodeURIComponent(name(d.node))}#explain">${escape(name(d.node))}</a>: ${d.requests} request(s), e.g. ${escape(d.example)}</li>`).join('')}</ul>`}`).join('')}</section>
${featuresSection(view)}
<section id="diagnostics"><h2>Diagnostics</h2>${diagnostics ? `<ul>${diagnostics}</ul>` : '<p>None.</p>'}</section>
</main><script type="module" src="/app.js"></script></body></html>
`;
}

/**
 * What Cytoscape.js would otherwise inject as an inline <style> (which the CSP refuses): it looks for
 * a stylesheet with this id first, so the page links this one under it.
 */
/** What the graph's marks mean: each swatch drawn as the graph draws it (STYLE). */
const LEGEND = `<ul id="graph-legend" aria-label="legend">${[
  ['identity', 'ServiceAccount (click: who may call it)'],
  ['service', 'Service'],
  ['namespace', 'namespace smi governs'],
  ['namespace-out', 'namespace left alone (dashed)'],
  ['errors', 'red outline: a translation or input error concerns it'],
  ['access', 'may call (label: route names, ports)'],
  ['split', 'splits to (dashed, label: share)'],
  ['live', 'live traffic in the policy (thicker: more requests/s)'],
  ['observed', 'traffic the policy does not grant (dotted red)'],
  ['match', 'search match'],
].map(([kind, text]) => `<li><span class="swatch ${kind}" aria-hidden="true"></span>${text}</li>`).join('')}</ul>`;

export const GRAPH_STYLE = '.__________cytoscape_container{position:relative}\n';

export const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
tr.differs{background:#fff3cd}li.error{color:#8b0000}li.warning{color:#7a4b00}form{display:grid;grid-template-columns:max-content 20rem;gap:.3rem .6rem;max-width:40rem}
button{grid-column:2;justify-self:start}small{font-weight:normal;color:#555}
#graph-area{display:flex;gap:.75rem;align-items:stretch}#graph{flex:1;height:36rem;border:1px solid #bbb;margin:.5rem 0;min-width:0}
#graph-details{width:18rem;margin:.5rem 0;padding:0 .75rem;border:1px solid #ddd;overflow:auto;max-height:36rem;font-size:.9rem}#graph-details pre{white-space:pre-wrap;word-break:break-all;font-size:.8rem}
#graph-legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;font-size:.85rem;color:#333}#graph-legend li{display:flex;align-items:center;gap:.4rem}
.swatch{display:inline-block;width:14px;height:14px;box-sizing:border-box}.swatch.identity{border-radius:50%;background:#4a6fa5}.swatch.service{border-radius:3px;background:#6a994e}
.swatch.namespace{background:#eef2f7;border:1px solid #9aa9bd}.swatch.namespace-out{background:#f4f4f4;border:1px dashed #9aa9bd}.swatch.errors{border-radius:50%;background:#4a6fa5;border:3px solid #b00020}
.swatch.access,.swatch.split,.swatch.live,.swatch.observed{width:26px;height:0;border-top:2px solid #555}.swatch.split{border-top:2px dashed #6a994e}.swatch.live{border-top:4px solid #1f6feb}.swatch.observed{border-top:2px dotted #b00020}
.swatch.match{border-radius:50%;background:#4a6fa5;border:3px solid #f2a900}
tr.not-in-policy{background:#fde2e1}#source-status{color:#555}
`;
