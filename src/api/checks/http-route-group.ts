/** HTTPRouteGroup: unique match names, RE2 regexes (pathRegex and header values), header names. */
import type { HTTPRouteGroup } from '../specs/v1alpha4.js';
import type { Report } from '../objects.js';
import { checkRe2 } from '../re2.js';
import { formatPath } from '../diagnostic.js';
import { headerNameProblem } from '../names.js';
import { headerEntries, isListForm, repeatedHeaders } from '../specs/headers.js';

function regex(report: Report, path: (string | number)[], pattern: string, what: string): void {
  const result = checkRe2(pattern);
  if (!result.ok) {
    const pointer = `${pattern}\n${' '.repeat(result.offset)}^`;
    report('error', 'SMI_REGEX_INVALID', path,
      `${what} is not valid RE2 (the regex dialect of Envoy-based meshes) at offset ${result.offset}: ${result.message}\n${pointer}`);
  }
}

export function checkHttpRouteGroup(group: HTTPRouteGroup, report: Report): void {
  const names = new Map<string, number>();
  group.spec.matches.forEach((match, i) => {
    const first = names.get(match.name);
    if (first !== undefined) {
      report('error', 'SMI_DUPLICATE_MATCH_NAME', ['spec', 'matches', i, 'name'],
        `match name "${match.name}" is already used by matches[${first}]; rules pick matches by name, so names must be unique`);
    } else names.set(match.name, i);
    if (match.pathRegex !== undefined) regex(report, ['spec', 'matches', i, 'pathRegex'], match.pathRegex, 'pathRegex');
    const methods = new Set<string>();
    (match.methods ?? []).forEach((m, j) => {
      if (methods.has(m)) report('warning', 'SMI_DUPLICATE_METHOD', ['spec', 'matches', i, 'methods', j], `method ${m} is listed twice`);
      methods.add(m);
    });
    if (methods.has('*') && methods.size > 1) {
      report('warning', 'SMI_REDUNDANT_METHODS', ['spec', 'matches', i, 'methods'], '"*" already matches every method; the other methods add nothing');
    }
    for (const h of headerEntries(match.headers)) {
      const path = ['spec', 'matches', i, ...h.path];
      const problem = headerNameProblem(h.name);
      if (problem) report('error', 'SMI_HEADER_NAME_INVALID', path, `header "${h.name}" ${problem}`, true);
      regex(report, path, h.regex, `the regex for header "${h.name}"`);
    }
    for (const [, entries] of repeatedHeaders(match.headers)) {
      const [first, ...rest] = entries;
      for (const e of rest) {
        const consequence = e.regex === first!.regex
          ? 'with the same regex, so the repetition changes nothing'
          : `: a request must match both regexes (${JSON.stringify(first!.regex)} and ${JSON.stringify(e.regex)}). Meshes that take one regex per header (Gateway API, Linkerd, Istio routing) cannot express this match and leave it out`;
        report('warning', 'SMI_HEADER_REPEATED', ['spec', 'matches', i, ...e.path], `header "${e.name}" is also named at ${formatPath(first!.path)}${consequence.startsWith(':') ? consequence : ` ${consequence}`}`, true);
      }
    }
  });
  const listAt = group.spec.matches.findIndex((m) => isListForm(m.headers));
  if (listAt >= 0) {
    report('warning', 'SMI_HEADERS_LIST_FORM', ['spec', 'matches', listAt, 'headers'],
      'headers is a list of maps (the form OSM and the smi-sdk-go CRD store); smi reads it with the same meaning as the SMI spec\'s map form ({name: regex, …}: every header must match). `smi convert --normalize-headers` rewrites it as a map');
  }
}
