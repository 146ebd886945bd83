/** Shared by the policy commands: -f files, request flags, and loading into a model. */
import { Option } from 'commander';
import type { CommandContext } from './context.js';
import { loadInput } from './load.js';
import { formatDiagnostics } from './format.js';
import { UsageError } from './io.js';
import { hasErrors, type Diagnostic } from '../api/diagnostic.js';
import { resolvePolicy } from '../policy/resolve.js';
import { scopeOptions } from '../targets/registry.js';
import { ACCESS_MODES, type AccessMode, type PolicyModel } from '../policy/model.js';
import { httpParts, PROTOCOLS, type HttpRequestParts, type Protocol } from '../policy/request.js';
import type { Progress } from './progress.js';

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** For commands that take paths as arguments too (validate, convert): -f as every other command has it, optional. */
export const optionalFilenameOption = () => new Option('-f, --filename <path>', 'a file, a folder, or - (repeatable): the same as giving it as an argument').argParser(collect);

/** The paths given as arguments and with -f, in that order; none is a usage error. */
export function inputPaths(args: readonly string[], filename: readonly string[] | undefined, command: string): string[] {
  const paths = [...args, ...(filename ?? [])];
  if (paths.length === 0) throw new UsageError(`${command} needs input: ${command} FILE|FOLDER|- … or -f FILE|FOLDER|- (repeatable)`);
  return paths;
}

export const filenameOption = () => new Option('-f, --filename <path>', 'SMI and inventory YAML/JSON: a file, a folder, or - (repeatable)').argParser(collect).makeOptionMandatory();
export const accessModeOption = () => new Option('--access-mode <mode>', 'how destinations without TrafficTargets are treated').choices(ACCESS_MODES).default('strict');
/** The namespaces smi governs (repeatable). */
export const scopeOption = () =>
  new Option('--scope <ns>', "namespaces smi governs, exactly (repeatable; system namespaces only this way). Default: those holding SMI objects or labelled smi-spec.io/enforce=true, never kube-*, a mesh's control plane or smi-system").argParser(collect);
/** kubectl's -n: where objects that name no namespace go. Collected, so the old repeated form is caught (namespaceOf). */
export const namespaceOption = () =>
  new Option('-n, --namespace <ns>', 'namespace of objects that name none, as kubectl -n (default "default", with a warning per such object)').argParser(collect);

export interface NamespaceFlags {
  readonly namespace?: readonly string[];
  readonly scope?: readonly string[];
}

/** The one namespace -n names; -n given twice is the old spelling of --scope, refused with the new one. */
export function namespaceOf(flags: NamespaceFlags): string | undefined {
  const given = flags.namespace ?? [];
  if (given.length > 1) throw new UsageError(`-n/--namespace names one namespace (for objects that name none), got ${given.join(', ')}; the namespaces smi governs are --scope (repeatable): ${given.map((n) => `--scope ${n}`).join(' ')}`);
  return given[0];
}

export const protocolOption = () => new Option('--protocol <protocol>', 'protocol of the request').choices(PROTOCOLS).default('http');

/** NS/NAME, as kubectl writes namespaced names. */
export function parseNamespacedName(flag: string, value: string): { namespace: string; name: string } {
  const parts = value.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`${flag} takes NAMESPACE/NAME, got "${value}"`);
  return { namespace: parts[0], name: parts[1] };
}

export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port must be a whole number from 1 to 65535, got "${value}"`);
  return n;
}

export interface HttpFlags {
  method?: string;
  path?: string;
  header?: string[];
}

/** HTTP flags only make sense for HTTP; for tcp/udp they are a usage error rather than silently ignored. */
export function parseHttp(protocol: Protocol, flags: HttpFlags): HttpRequestParts | undefined {
  if (protocol !== 'http') {
    const given = (['method', 'path', 'header'] as const).filter((f) => flags[f] !== undefined);
    if (given.length > 0) throw new UsageError(`--${given.join(', --')} apply to --protocol http only`);
    return undefined;
  }
  const headers = (flags.header ?? []).map((h): [string, string] => {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new UsageError(`--header takes NAME=VALUE, got "${h}"`);
    return [h.slice(0, eq), h.slice(eq + 1)];
  });
  const path = flags.path ?? '/';
  if (!path.startsWith('/')) throw new UsageError(`--path must start with /, got "${path}"`);
  return httpParts(flags.method ?? 'GET', path, headers);
}

/** What the model could not carry from the input's OSM policy objects (IngressBackend, Egress): every policy command shows it, translate counts it. */
export const carriedProblem = (d: Diagnostic): boolean => d.code.startsWith('OSM_');

/** Loads and resolves; input errors are printed and end the command with exit 2. */
export async function loadModel(ctx: CommandContext, files: readonly string[], mode: AccessMode = 'strict', flags: NamespaceFlags = {}, progress?: Progress): Promise<PolicyModel> {
  const namespaces = flags.scope;
  const input = await loadInput(ctx, files, false, namespaceOf(flags), progress);
  const shown = input.diagnostics.filter((d) => d.severity !== 'info');
  if (hasErrors(input.diagnostics)) {
    ctx.io.stderr(formatDiagnostics(shown));
    throw new UsageError('the input has errors (above); fix them or check them with `smi validate`');
  }
  if (shown.length > 0) ctx.io.stderr(formatDiagnostics(shown));
  progress?.step(`resolved the policy of ${input.valid.length.toLocaleString('en')} SMI objects over ${input.kube.length.toLocaleString('en')} others`);
  const model = resolvePolicy(input, { mode, scope: scopeOptions(namespaces) });
  const scoped = model.diagnostics.filter((d) => d.code === 'SMI_OUT_OF_SCOPE' || carriedProblem(d));
  if (scoped.length > 0) ctx.io.stderr(formatDiagnostics(scoped));
  return model;
}
