/**
 * The operations of an API description (pure, over a document whose $refs are resolved): Swagger 2.0
 * (`basePath`) and OpenAPI 3.0/3.1 (the path of `servers[].url`, per document, path item or
 * operation), each as a method and a path template with its path parameters.
 */
import type { PathParameter } from './path-template.js';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Operation {
  readonly method: string;
  readonly template: string;
  readonly operationId?: string;
  /** The base paths it is served under (several when servers differ and none was chosen). */
  readonly basePaths: readonly string[];
  readonly parameters: readonly PathParameter[];
  /** Where it is in the description: paths./pets/{id}.get */
  readonly where: string;
}

export interface BaseChoice {
  /** --server URL: only the servers with this URL (as written, variables unexpanded). */
  readonly server?: string;
  /** --base-path P: this base path, whatever the description says. */
  readonly basePath?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The path part of a server URL: `https://api.example.com/v1` → `/v1`; `{scheme}://h/{v}` keeps `{v}` (a variable). */
function pathOf(url: string): string {
  const noScheme = url.replace(/^[a-zA-Z{][a-zA-Z0-9+.\-{}]*:\/\/[^/]*/, '');
  return noScheme === '' || noScheme.startsWith('/') ? noScheme : `/${noScheme}`;
}

interface Server { url: string; variables?: Record<string, { default?: string; enum?: string[] }> }

/** Base paths of servers, variables replaced by each value they may take (enum, else default). */
function serverPaths(servers: readonly Server[]): string[] {
  const out = new Set<string>();
  for (const s of servers) {
    let paths = [pathOf(s.url)];
    for (const [name, v] of Object.entries(s.variables ?? {})) {
      const values = v.enum && v.enum.length > 0 ? v.enum : v.default !== undefined ? [v.default] : [];
      paths = paths.flatMap((p) => (p.includes(`{${name}}`) ? values.map((x) => p.split(`{${name}}`).join(x)) : [p]));
    }
    for (const p of paths) out.add(p.replace(/\/+$/, ''));
  }
  return [...out].sort();
}

export function operationsOf(document: unknown, choice: BaseChoice = {}): { operations: Operation[]; problems: string[] } {
  const problems: string[] = [];
  if (!isObj(document)) return { operations: [], problems: ['the description is not an object'] };
  const swagger = typeof document.swagger === 'string';
  if (!swagger && typeof document.openapi !== 'string') return { operations: [], problems: ['neither `swagger: "2.0"` nor `openapi: 3.x`: not an API description smi reads'] };
  if (swagger && document.swagger !== '2.0') problems.push(`swagger ${String(document.swagger)}: only 2.0 is known`);
  if (!swagger && !/^3\.[01]\./.test(String(document.openapi))) problems.push(`openapi ${String(document.openapi)}: 3.0 and 3.1 are known`);

  const pick = (servers: unknown): string[] | undefined => {
    if (choice.basePath !== undefined) return [choice.basePath.replace(/\/+$/, '')];
    if (swagger) return [typeof document.basePath === 'string' ? document.basePath.replace(/\/+$/, '') : ''];
    if (!Array.isArray(servers) || servers.length === 0) return undefined;
    const list = (servers as Server[]).filter((s) => choice.server === undefined || s.url === choice.server);
    return list.length > 0 ? serverPaths(list) : undefined;
  };
  const rootBases = pick(document.servers) ?? (choice.server !== undefined ? undefined : ['']);
  if (rootBases === undefined) problems.push(`--server ${choice.server}: no such server in the description`);

  const operations: Operation[] = [];
  const paths = isObj(document.paths) ? document.paths : {};
  for (const [template, item] of Object.entries(paths)) {
    if (!isObj(item)) continue;
    const itemBases = swagger || choice.basePath !== undefined ? rootBases : (pick(item.servers) ?? rootBases);
    const shared = Array.isArray(item.parameters) ? (item.parameters as Obj[]) : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const bases = swagger || choice.basePath !== undefined ? itemBases : (pick(op.servers) ?? itemBases);
      if (!bases) continue;
      // Operation parameters override path-item ones of the same name and location.
      const own = Array.isArray(op.parameters) ? (op.parameters as Obj[]) : [];
      const byKey = new Map<string, Obj>();
      for (const p of [...shared, ...own]) if (isObj(p) && typeof p.name === 'string') byKey.set(`${String(p.in)}:${p.name}`, p);
      const parameters = [...byKey.values()].filter((p) => p.in === 'path').map((p): PathParameter => ({
        name: String(p.name),
        // Swagger 2.0 puts type and enum on the parameter itself.
        ...(isObj(p.schema) ? { schema: p.schema as PathParameter['schema'] } : swagger ? { schema: { ...(p.type ? { type: p.type as string } : {}), ...(Array.isArray(p.enum) ? { enum: p.enum } : {}) } } : {}),
        ...(typeof p.style === 'string' ? { style: p.style } : {}),
      }));
      operations.push({
        method: method.toUpperCase(), template,
        ...(typeof op.operationId === 'string' ? { operationId: op.operationId } : {}),
        basePaths: bases, parameters, where: `paths.${template}.${method}`,
      });
    }
  }
  return { operations, problems };
}
