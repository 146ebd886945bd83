/**
 * One pass over JSON text for what JSON.parse does not tell: a key given twice in one object (YAML,
 * and so smi, refuses it; JSON.parse keeps the last silently), and where the root value and each
 * element of a root object's `items` array start and end (a Kubernetes List from `kubectl get -o
 * json`), so that positions can be worked out later for the items a diagnostic points at only.
 * Strings are skipped with indexOf, which keeps the pass a small fraction of JSON.parse's time.
 */
export interface JsonLayout {
  /** Offset of the first character of the root value. */
  readonly rootStart: number;
  /** [start, end) of each element of the root object's `items` array, when there is one. */
  readonly items?: readonly (readonly [number, number])[];
  /** How deep the deepest value sits (the root at 0), as parse.ts's nesting limit counts. */
  readonly depth: number;
}

export type JsonScan = { readonly ok: true; readonly layout: JsonLayout } | { readonly ok: false; readonly duplicateKeyAt?: number };

interface Frame {
  readonly array: boolean;
  readonly keys?: Set<string>;
  /** This array is the root object's "items": record its elements. */
  readonly items?: [number, number][];
  /** Start of the element being read, in an items array. */
  elementStart: number;
  expectKey: boolean;
  lastKey: string;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** End (exclusive) of the string whose opening quote is at `i`; -1 when unterminated. */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let k = q - 1; k > i && text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Scans one JSON value; not ok when the text is not a single well-formed JSON value or repeats a key. */
export function scanJson(text: string): JsonScan {
  const stack: Frame[] = [];
  let i = 0;
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  const rootStart = i;
  let rootItems: [number, number][] | undefined;
  let done = false;
  let depth = 0;
  const valueStarts = (at: number) => {
    if (stack.length > depth) depth = stack.length;
    const top = stack[stack.length - 1];
    if (top?.items && top.elementStart < 0) top.elementStart = at;
  };
  const valueEnds = (at: number) => {
    const top = stack[stack.length - 1];
    if (top?.items && top.elementStart >= 0) {
      top.items.push([top.elementStart, at]);
      top.elementStart = -1;
    }
    if (stack.length === 0) done = true;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      continue;
    }
    if (done) return { ok: false };
    const top = stack[stack.length - 1];
    if (c === 0x22) {
      const end = stringEnd(text, i);
      if (end < 0) return { ok: false };
      if (top && !top.array && top.expectKey) {
        const raw = text.slice(i + 1, end - 1);
        let key = raw;
        if (raw.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, end)) as string;
          } catch {
            return { ok: false };
          }
        }
        if (top.keys!.has(key)) return { ok: false, duplicateKeyAt: i };
        top.keys!.add(key);
        top.lastKey = key;
        top.expectKey = false;
      } else {
        valueStarts(i);
        valueEnds(end);
      }
      i = end;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      valueStarts(i);
      const isItems = c === 0x5b && stack.length === 1 && !stack[0]!.array && stack[0]!.lastKey === 'items';
      const frame: Frame = { array: c === 0x5b, elementStart: -1, expectKey: c === 0x7b, lastKey: '', ...(c === 0x7b ? { keys: new Set<string>() } : {}), ...(isItems ? { items: [] } : {}) };
      if (isItems) rootItems = frame.items;
      stack.push(frame);
      i++;
      continue;
    }
    if (c === 0x7d || c === 0x5d) {
      if (!top || top.array !== (c === 0x5d)) return { ok: false };
      stack.pop();
      i++;
      valueEnds(i);
      continue;
    }
    if (c === 0x3a) {
      if (!top || top.array || top.expectKey) return { ok: false };
      i++;
      continue;
    }
    if (c === 0x2c) {
      if (!top) return { ok: false };
      if (!top.array) top.expectKey = true;
      i++;
      continue;
    }
    // A number, true, false or null: up to the next delimiter (JSON.parse judges its form).
    valueStarts(i);
    let j = i + 1;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (isSpace(d) || d === 0x2c || d === 0x7d || d === 0x5d || d === 0x3a) break;
      j++;
    }
    i = j;
    valueEnds(i);
  }
  if (!done || stack.length > 0) return { ok: false };
  return { ok: true, layout: { rootStart, depth, ...(rootItems ? { items: rootItems } : {}) } };
}
