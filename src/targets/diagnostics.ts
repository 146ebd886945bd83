/** How translators report what they could not write exactly, and how a Translation is assembled. */
import type { Diagnostic } from '../api/diagnostic.js';
import type { Provenance } from '../policy/model.js';
import { sortResources } from './naming.js';
import type { MeshResource, Translation } from './target.js';

export type Report = (ref: Provenance | undefined, severity: Diagnostic['severity'], code: string, message: string) => void;

export function diagnosticReporter(diagnostics: Diagnostic[]): Report {
  return (ref, severity, code, message) => {
    diagnostics.push({
      severity, code, message, path: '',
      ...(ref ? { file: ref.file, line: ref.line, object: `${ref.kind}/${ref.namespace}/${ref.name}` } : {}),
    });
  };
}

/** Runs a translation that reports as it goes; the resources come back in deterministic order. */
export function collectTranslation(build: (report: Report) => MeshResource[]): Translation {
  const diagnostics: Diagnostic[] = [];
  const resources = sortResources(build(diagnosticReporter(diagnostics)));
  return { resources, diagnostics };
}
