/**
 * Reads the reference data (CRDs of SMI and of each mesh) in ../shared/reference beside the project,
 * or where SMI_REFERENCE_DIR points. It is never copied into the project.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REFERENCE_ROOT = resolve(process.env.SMI_REFERENCE_DIR ?? resolve(import.meta.dirname, '../../../shared/reference'));

/** Every document of every YAML file in a reference folder; fails loudly when the folder is absent. */
export function referenceDocuments(folder: string): Record<string, unknown>[] {
  const dir = join(REFERENCE_ROOT, folder);
  if (!existsSync(dir)) throw new Error(`reference data not found at ${dir}: these tests need ../shared/reference beside the project, or SMI_REFERENCE_DIR set to it`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Record<string, unknown>))
    .filter((d) => d !== null);
}
