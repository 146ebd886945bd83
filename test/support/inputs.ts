/** Builds validated sets from YAML text, as the CLI would from a file. */
import { parseText } from '../../src/api/parse.js';
import { validateDocuments, type ValidateOptions, type ValidatedSet } from '../../src/api/validate.js';
import type { Diagnostic } from '../../src/api/diagnostic.js';

export function validateYaml(text: string, options: ValidateOptions = {}, file = 'input.yaml'): ValidatedSet & { all: Diagnostic[] } {
  const parsed = parseText(text, file);
  const validated = validateDocuments(parsed.documents, options);
  return { ...validated, all: [...parsed.diagnostics, ...validated.diagnostics] };
}

export function codes(diagnostics: readonly Diagnostic[], severity?: Diagnostic['severity']): string[] {
  return diagnostics.filter((d) => severity === undefined || d.severity === severity).map((d) => d.code).sort();
}
