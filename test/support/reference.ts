/**
 * Reads the reference data (CRDs of SMI and of each mesh) the repository carries under
 * test/reference/, each file's source, commit and licence listed in test/reference/SOURCES.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REFERENCE_ROOT = resolve(import.meta.dirname, '../reference');

/** Every document of every YAML file in a reference folder (relative to test/reference). */
export function referenceDocuments(folder: string): Record<string, unknown>[] {
  const dir = join(REFERENCE_ROOT, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Record<string, unknown>))
    .filter((d) => d !== null);
}
