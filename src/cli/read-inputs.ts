/** The file-system edge of loading: paths (files, folders, `-` for stdin) → parsed documents. */
import { open, readdir, stat } from 'node:fs/promises';
import { InputTooLarge, MAX_INPUT_BYTES } from './io.js';
import { join, extname } from 'node:path';
import { parseText } from '../api/parse.js';
import type { LoadedDocument } from '../api/document.js';
import type { Diagnostic } from '../api/diagnostic.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Input smi could not read at all (missing, not a file, too large, unreadable): a usage problem, exit 2, in every command. */
export const UNREADABLE: ReadonlySet<string> = new Set(['SMI_PATH_NOT_FOUND', 'SMI_NOT_A_FILE', 'SMI_FILE_TOO_LARGE', 'SMI_READ_FAILED']);

/** A document that means to be a Kubernetes object: a map with apiVersion, kind or metadata (a list of them too). */
function kubernetesShaped(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.includes('apiVersion') || keys.includes('kind') || keys.includes('metadata');
}

export interface Inputs {
  readonly documents: LoadedDocument[];
  readonly diagnostics: Diagnostic[];
  readonly files: number;
}

async function listFiles(path: string, out: string[]): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) await listFiles(full, out);
    else if (EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(full);
  }
}

/** A regular file's bytes, up to the limit: a file that grows past it while read is refused too. */
async function readCapped(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const buffer = Buffer.alloc(1024 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > MAX_INPUT_BYTES) throw new InputTooLarge(size);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}

function decode(bytes: Buffer): string {
  // fatal: invalid UTF-8 becomes a diagnostic, not mojibake that parses into something else.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return '\uFFFD';
  }
}

export async function readInputs(paths: readonly string[], readStdin: () => Promise<Buffer>, onFile?: (file: string, documentsSoFar: number) => void): Promise<Inputs> {
  const documents: LoadedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  let stdinUsed = false;
  for (const path of paths) {
    if (path === '-') {
      if (stdinUsed) continue;
      stdinUsed = true;
      files.push('-');
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isDirectory()) await listFiles(path, files);
      else files.push(path);
    } catch {
      diagnostics.push({ severity: 'error', code: 'SMI_PATH_NOT_FOUND', message: `no such file or folder: ${path}`, path: '', file: path });
    }
  }
  for (const file of files) {
    let bytes: Buffer;
    try {
      if (file === '-') bytes = await readStdin();
      else {
        // stat follows symbolic links: a link to /dev/zero or a FIFO is what it points at.
        const info = await stat(file);
        if (!info.isFile()) {
          diagnostics.push({ severity: 'error', code: 'SMI_NOT_A_FILE', message: 'not a regular file (a device, FIFO or socket, or a link to one): smi reads files and folders; to read a stream, pipe it to `-`', path: '', file });
          continue;
        }
        if (info.size > MAX_INPUT_BYTES) {
          diagnostics.push({ severity: 'error', code: 'SMI_FILE_TOO_LARGE', message: `${info.size} bytes is more than the ${MAX_INPUT_BYTES}-byte limit for one file`, path: '', file });
          continue;
        }
        bytes = await readCapped(file);
      }
    } catch (error) {
      if (error instanceof InputTooLarge) {
        diagnostics.push({ severity: 'error', code: 'SMI_FILE_TOO_LARGE', message: `${error.message}; smi stopped reading`, path: '', file });
        continue;
      }
      diagnostics.push({ severity: 'error', code: 'SMI_READ_FAILED', message: `cannot read: ${(error as Error).message}`, path: '', file });
      continue;
    }
    const parsed = parseText(decode(bytes), file === '-' ? '<stdin>' : file);
    // A Helm values.yaml, a test's expectations or a JSON config beside the manifests is not input:
    // skipped with a note, rather than blocking every command. One Kubernetes-looking document keeps
    // the whole file in (its mistakes are errors).
    if (parsed.documents.length > 0 && !parsed.diagnostics.some((d) => d.severity === 'error') && !parsed.documents.some((d) => kubernetesShaped(d.value))) {
      diagnostics.push({ severity: 'warning', code: 'SMI_FILE_SKIPPED', message: 'holds no Kubernetes object (no document has apiVersion, kind or metadata): skipped', path: '', file: file === '-' ? '<stdin>' : file });
      onFile?.(file, documents.length);
      continue;
    }
    for (const d of parsed.documents) documents.push(d);
    diagnostics.push(...parsed.diagnostics);
    onFile?.(file, documents.length);
  }
  return { documents, diagnostics, files: files.length };
}
