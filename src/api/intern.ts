/**
 * One copy of each short string value in loaded documents. A cluster repeats the same few values
 * (namespaces, labels, kinds, port names) in every object: at 100k SMI objects the loaded values held
 * millions of copies of them, and a value sliced from the file keeps its document's text alive.
 * One table per loaded text (nothing kept between loads, so a long-running server holds no table);
 * bounded: past the bound it starts over (a repeat then costs one more copy, never a wrong value).
 */
const MAX_LENGTH = 128;
const MAX_ENTRIES = 500_000;

/** Replaces, in place, every string value inside freshly loaded plain data with its one copy. */
export type Interner = (value: unknown) => unknown;

export function stringInterner(): Interner {
  let table = new Map<string, string>();
  const intern = (s: string): string => {
    if (s.length > MAX_LENGTH) return s;
    const known = table.get(s);
    if (known !== undefined) return known;
    if (table.size >= MAX_ENTRIES) table = new Map();
    // A flat copy: a slice of the document's text would keep that text alive through the table.
    const own = s.length >= 13 ? (' ' + s).slice(1) : s;
    table.set(own, own);
    return own;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return intern(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v === 'string') value[i] = intern(v);
        else if (typeof v === 'object' && v !== null) walk(v);
      }
    } else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const v = record[key];
        if (typeof v === 'string') record[key] = intern(v);
        else if (typeof v === 'object' && v !== null) walk(v);
      }
    }
    return value;
  };
  return walk;
}
