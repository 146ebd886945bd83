/**
 * A translation's options as flags and back: the common flags, and each mesh's own from the
 * descriptors of the registry. The CLI reads flags with it; install writes the controller's
 * arguments with it, so the two cannot drift.
 */
import { meshOptions } from './registry.js';
import { DEFAULT_OPTIONS, type MeshOption, type TranslateOptions } from './target.js';

/** `linkerd-default-policy` → `linkerdDefaultPolicy`, the key commander stores it under. */
export const flagKey = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The parsed flags of a translation command: the common ones by name, each mesh's under its camel-cased flag. */
export interface TranslateFlags {
  trustDomain?: string;
  clusterDomain?: string;
  enforcement?: 'enforce' | 'audit';
  fence?: 'networkpolicy';
  [meshFlag: string]: unknown;
}

/** A mesh flag's value as parsed: a string, true for a switch, or undefined when not given. */
export const given = (flags: TranslateFlags, o: MeshOption): string | true | undefined => {
  const v = flags[flagKey(o.flag)];
  return v === true || typeof v === 'string' ? v : undefined;
};

export function translateOptions(flags: TranslateFlags): TranslateOptions {
  let out: TranslateOptions = {
    trustDomain: flags.trustDomain ?? DEFAULT_OPTIONS.trustDomain,
    clusterDomain: flags.clusterDomain ?? DEFAULT_OPTIONS.clusterDomain,
    ...(flags.enforcement === 'audit' ? { enforcement: 'audit' as const } : {}),
    ...(flags.fence ? { fence: flags.fence } : {}),
  };
  for (const { option } of meshOptions()) {
    const value = given(flags, option);
    if (value !== undefined) out = { ...out, ...option.set(value) };
  }
  return out;
}

/** The arguments that give a command these options again (install writes the controller's from them). */
export function translateArguments(options: TranslateOptions): string[] {
  const out: string[] = [
    ...(options.trustDomain !== DEFAULT_OPTIONS.trustDomain ? ['--trust-domain', options.trustDomain] : []),
    ...(options.clusterDomain !== DEFAULT_OPTIONS.clusterDomain ? ['--cluster-domain', options.clusterDomain] : []),
    ...(options.enforcement === 'audit' ? ['--enforcement', 'audit'] : []),
    ...(options.fence ? ['--fence', options.fence] : []),
  ];
  for (const { option } of meshOptions()) {
    const value = option.get(options);
    if (value === true) out.push(`--${option.flag}`);
    else if (value !== undefined) out.push(`--${option.flag}`, value);
  }
  return out;
}
