/**
 * Server-side apply and managedFields, as the API server keeps them: each manager owns a set of
 * fields; applying sets the applied fields, drops the ones this manager applied before and no longer
 * does (unless another manager owns them too), and conflicts when it would change a field another
 * manager owns — unless forced, which takes the field over. Maps merge key by key; lists are atomic
 * (a whole list is one field), which is what smi's kinds declare.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Obj;
  subresource?: string;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const IGNORED_TOP = new Set(['apiVersion', 'kind']);
const IGNORED_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'selfLink']);

/** Leaf paths (JSON arrays of keys) an object sets. */
export function leaves(o: Obj, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(o)) {
    if (prefix.length === 0 && IGNORED_TOP.has(k)) continue;
    if (prefix.length === 1 && prefix[0] === 'metadata' && IGNORED_META.has(k)) continue;
    const path = [...prefix, k];
    if (isObj(v) && Object.keys(v).length > 0) out.push(...leaves(v, path));
    else out.push(path);
  }
  return out;
}

const key = (p: string[]): string => JSON.stringify(p);
const unkey = (k: string): string[] => JSON.parse(k) as string[];

export function getPath(o: Json, path: string[]): Json | undefined {
  let cur: Json | undefined = o;
  for (const k of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function deletePath(o: Obj, path: string[]): void {
  const parents: Obj[] = [];
  let cur: Obj = o;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (!isObj(next)) return;
    parents.push(cur);
    cur = next;
  }
  delete cur[path[path.length - 1]!];
  // Drop maps left empty by the removal, as the server does for fields nobody sets any more.
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = parents[i]!;
    const child = parent[path[i]!];
    if (isObj(child) && Object.keys(child).length === 0) delete parent[path[i]!];
    else break;
  }
}

/** Maps merge recursively; anything else (lists, scalars) is replaced. */
export function mergeApplied(current: Json, applied: Json): Json {
  if (!isObj(current) || !isObj(applied)) return structuredClone(applied);
  const out: Obj = { ...current };
  for (const [k, v] of Object.entries(applied)) out[k] = k in current ? mergeApplied(current[k]!, v) : structuredClone(v);
  return out;
}

export function toFieldsV1(paths: Iterable<string[]>): Obj {
  const root: Obj = {};
  for (const p of paths) {
    let cur = root;
    for (const k of p) cur = (cur[`f:${k}`] ??= {}) as Obj;
  }
  return root;
}

export function fromFieldsV1(f: Obj, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(f)) {
    if (!k.startsWith('f:')) continue;
    const path = [...prefix, k.slice(2)];
    if (isObj(v) && Object.keys(v).some((c) => c.startsWith('f:'))) out.push(...fromFieldsV1(v, path));
    else out.push(path);
  }
  return out;
}

export class ApplyConflict extends Error {
  constructor(readonly conflicts: { manager: string; field: string }[]) {
    super(`Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${conflicts.map((c) => `conflict with "${c.manager}": .${JSON.parse(c.field).join('.')}`).join('\n')}`);
  }
}

function entriesOf(o: Obj): ManagedFieldsEntry[] {
  const meta = o.metadata;
  return isObj(meta) && Array.isArray(meta.managedFields) ? (meta.managedFields as unknown as ManagedFieldsEntry[]) : [];
}

const sets = (entries: ManagedFieldsEntry[]) => entries.map((e) => ({ entry: e, fields: new Set(fromFieldsV1(e.fieldsV1).map(key)) }));

function rebuild(list: { entry: ManagedFieldsEntry; fields: Set<string> }[]): ManagedFieldsEntry[] {
  return list.filter((x) => x.fields.size > 0).map((x) => ({ ...x.entry, fieldsV1: toFieldsV1([...x.fields].map(unkey)) }));
}

/** The object after `manager` applies `applied` to `current` (undefined: it does not exist yet). */
export function serverSideApply(current: Obj | undefined, applied: Obj, manager: string, force: boolean, now: string, subresource?: string): Obj {
  const base: Obj = current ? structuredClone(current) : {};
  const owners = sets(entriesOf(base));
  const mine = owners.find((o) => o.entry.manager === manager && o.entry.operation === 'Apply' && o.entry.subresource === subresource);
  const appliedFields = new Set(leaves(applied).filter((p) => (subresource === 'status' ? p[0] === 'status' : p[0] !== 'status' || current === undefined)).map(key));

  const conflicts: { manager: string; field: string }[] = [];
  for (const other of owners) {
    if (other === mine) continue;
    for (const f of appliedFields) {
      if (!other.fields.has(f)) continue;
      const same = JSON.stringify(getPath(base, unkey(f))) === JSON.stringify(getPath(applied, unkey(f)));
      if (same) continue; // shared ownership of an equal value is not a conflict
      if (force) other.fields.delete(f);
      else conflicts.push({ manager: other.entry.manager, field: f });
    }
  }
  if (conflicts.length > 0) throw new ApplyConflict(conflicts);

  let result = base;
  if (mine) {
    for (const f of mine.fields) {
      if (appliedFields.has(f)) continue;
      if (owners.some((o) => o !== mine && o.fields.has(f))) continue;
      deletePath(result, unkey(f));
    }
  }
  const body = structuredClone(applied);
  if (isObj(body.metadata)) for (const k of Object.keys(body.metadata)) if (IGNORED_META.has(k) && k !== 'name' && k !== 'namespace') delete body.metadata[k];
  result = mergeApplied(result, body) as Obj;

  const entry: ManagedFieldsEntry = { manager, operation: 'Apply', apiVersion: String(applied.apiVersion ?? ''), time: now, fieldsType: 'FieldsV1', fieldsV1: {}, ...(subresource ? { subresource } : {}) };
  const next = owners.filter((o) => o !== mine);
  next.push({ entry, fields: appliedFields });
  (result.metadata as Obj).managedFields = rebuild(next) as unknown as Json;
  return result;
}

/** After a non-apply write: the fields that changed now belong to `manager` (operation Update). */
export function recordUpdate(before: Obj | undefined, after: Obj, manager: string, now: string, subresource?: string): Obj {
  // A client that writes managedFields itself (kubectl migrating to server-side apply) is taken at its word.
  const given = isObj(after.metadata) ? after.metadata.managedFields : undefined;
  const had = before && isObj(before.metadata) ? before.metadata.managedFields : undefined;
  if (before && given !== undefined && given !== null && JSON.stringify(given) !== JSON.stringify(had)) return structuredClone(after);
  const owners = sets(entriesOf(before ?? {}));
  const changed = new Set<string>();
  const all = new Set([...leaves(after).map(key), ...(before ? leaves(before).map(key) : [])]);
  for (const f of all) {
    if (subresource === 'status' ? !f.startsWith('["status"') : f.startsWith('["status"') && before !== undefined) continue;
    if (JSON.stringify(getPath(before ?? {}, unkey(f))) !== JSON.stringify(getPath(after, unkey(f)))) changed.add(f);
  }
  const present = new Set(leaves(after).map(key));
  for (const o of owners) for (const f of [...o.fields]) if (changed.has(f) || !present.has(f)) o.fields.delete(f);
  let mine = owners.find((o) => o.entry.manager === manager && o.entry.operation === 'Update' && o.entry.subresource === subresource);
  if (!mine) owners.push((mine = { entry: { manager, operation: 'Update', apiVersion: String(after.apiVersion ?? ''), time: now, fieldsType: 'FieldsV1', fieldsV1: {}, ...(subresource ? { subresource } : {}) }, fields: new Set() }));
  for (const f of changed) if (present.has(f)) mine.fields.add(f);
  mine.entry = { ...mine.entry, time: now };
  const out = structuredClone(after);
  (out.metadata as Obj).managedFields = rebuild(owners) as unknown as Json;
  return out;
}
