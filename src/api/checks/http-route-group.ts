/** HTTPRouteGroup: unique match names, RE2 regexes (pathRegex and header values), header names. */
import type { HTTPRouteGroup } from '../specs/v1alpha4.js';
import type { Report } from '../objects.js';
import { checkRe2 } from '../re2.js';
import { MAX_REGEX_PROGRAM, MAX_REGEX_PROGRAM_PER_OBJECT, MAX_REGEX_TEXT_PER_OBJECT, shownPattern } from '../limits.js';
import { lexRe2, re2ProgramSize } from '../re2-syntax.js';
import { formatPath } from '../diagnostic.js';
import { headerNameProblem } from '../names.js';
import { headerEntries, isListForm, repeatedHeaders } from '../specs/headers.js';

/** The estimated program size of a pattern (0 when the lexer cannot read it: RE2 then reports why). */
function programSize(pattern: string): number {
  const lexed = lexRe2(pattern);
  return lexed.ok ? re2ProgramSize(lexed.tokens) : 0;
}

function regex(report: Report, path: (string | number)[], pattern: string, what: string): void {
  const size = programSize(pattern);
  if (size > MAX_REGEX_PROGRAM) {
    report('error', 'SMI_REGEX_TOO_COMPLEX', path, `${what} ${JSON.stringify(shownPattern(pattern))} compiles to about ${size} RE2 instructions (repetitions multiply what they repeat); at most ${MAX_REGEX_PROGRAM} are compiled per regex`);
    return;
  }
  const result = checkRe2(pattern);
  if (!result.ok) {
    // A window around the offending offset, never the whole of a long pattern.
    const start = Math.max(0, result.offset - 40);
    const window = pattern.slice(start, start + 100);
    const pointer = `${start > 0 ? '…' : ''}${window}${start + 100 < pattern.length ? '…' : ''}\n${' '.repeat(result.offset - start + (start > 0 ? 1 : 0))}^`;
    report('error', 'SMI_REGEX_INVALID', path,
      `${what} is not valid RE2 (the regex dialect of Envoy-based meshes) at offset ${result.offset}: ${result.message}\n${pointer}`);
  }
}

export function checkHttpRouteGroup(group: HTTPRouteGroup, report: Report): void {
  // Every regex is compiled by each review and translation: bound the whole object's regex text first.
  const text = group.spec.matches.reduce((n, m) => n + (m.pathRegex?.length ?? 0) + headerEntries(m.headers).reduce((h, e) => h + e.name.length + e.regex.length, 0), 0);
  if (text > MAX_REGEX_TEXT_PER_OBJECT) {
    report('error', 'SMI_REGEX_TOO_LARGE', ['spec', 'matches'], `the regexes of this group hold ${text} characters together; at most ${MAX_REGEX_TEXT_PER_OBJECT} are compiled per object (split the group, or generate narrower routes with smi route-groups from-openapi)`);
    return;
  }
  const program = group.spec.matches.reduce((n, m) => n + (m.pathRegex === undefined ? 0 : Math.min(programSize(m.pathRegex), MAX_REGEX_PROGRAM + 1)) + headerEntries(m.headers).reduce((h, e) => h + Math.min(programSize(e.regex), MAX_REGEX_PROGRAM + 1), 0), 0);
  if (program > MAX_REGEX_PROGRAM_PER_OBJECT) {
    report('error', 'SMI_REGEX_TOO_LARGE', ['spec', 'matches'], `the regexes of this group compile to about ${program} RE2 instructions together; at most ${MAX_REGEX_PROGRAM_PER_OBJECT} per object (split the group)`);
    return;
  }
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
          : `: a request must match both regexes (${JSON.stringify(shownPattern(first!.regex))} and ${JSON.stringify(shownPattern(e.regex))}). Meshes that take one regex per header (Gateway API, Linkerd, Istio routing) cannot express this match and leave it out`;
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
