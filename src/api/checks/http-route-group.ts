/** HTTPRouteGroup: unique match names, RE2 regexes (pathRegex and header values), header names. */
import type { HTTPRouteGroup } from '../specs/v1alpha4.js';
import type { Report } from '../objects.js';
import { checkRe2 } from '../re2.js';
import { headerNameProblem } from '../names.js';

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
    const seenHeaders = new Map<string, string>();
    for (const [name, value] of Object.entries(match.headers ?? {})) {
      const path = ['spec', 'matches', i, 'headers', name];
      const problem = headerNameProblem(name);
      if (problem) report('error', 'SMI_HEADER_NAME_INVALID', path, `header "${name}" ${problem}`, true);
      const lower = name.toLowerCase();
      const other = seenHeaders.get(lower);
      if (other !== undefined) {
        report('error', 'SMI_DUPLICATE_HEADER', path, `headers "${other}" and "${name}" are the same header (names are case-insensitive); merge their regexes`, true);
      }
      seenHeaders.set(lower, name);
      regex(report, path, value, `the regex for header "${name}"`);
    }
  });
}
