/** Shared by commands that read SMI input: read, parse, validate. */
import type { CommandContext } from './context.js';
import { readInputs } from './read-inputs.js';
import { validateDocuments, type ValidatedSet } from '../api/validate.js';
import type { Diagnostic } from '../api/diagnostic.js';
import type { Progress } from './progress.js';

export interface LoadedInput extends ValidatedSet {
  readonly files: number;
  /** Reading/parsing problems followed by validation problems. */
  readonly diagnostics: Diagnostic[];
}

export async function loadInput(ctx: CommandContext, paths: readonly string[], strict = false, namespace?: string, progress?: Progress): Promise<LoadedInput> {
  progress?.step('reading the input');
  const inputs = await readInputs(paths, () => ctx.io.readStdin(), (file, documents) => progress?.relabel(`read ${file}: ${documents.toLocaleString('en')} documents so far`));
  progress?.relabel(`read ${inputs.files} file${inputs.files === 1 ? '' : 's'}: ${inputs.documents.length.toLocaleString('en')} documents`);
  progress?.step(`validated ${inputs.documents.length.toLocaleString('en')} documents`);
  // Without -n, objects that name no namespace go to "default" as with kubectl, each with a warning.
  const validated = validateDocuments(inputs.documents, { strict, defaultNamespace: namespace ?? 'default', warnDefaultedNamespace: namespace === undefined });
  return { ...validated, files: inputs.files, diagnostics: [...inputs.diagnostics, ...validated.diagnostics] };
}
