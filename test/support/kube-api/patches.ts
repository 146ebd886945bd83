/**
 * The patch formats kubectl sends: JSON merge patch (RFC 7386), strategic merge patch as kubectl
 * computes it for built-in kinds (lists merged by the key its $setElementOrder directives name,
 * `$patch: delete|replace`, `$deleteFromPrimitiveList`), and JSON patch (RFC 6902).
 */
import type { Json } from './managed-fields.js';

type Obj = { [k: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

const mergeKeyOf = (order: Json[] | undefined, elements: Json[]): string | undefined => {
  const sample = [...(order ?? []), ...elements].find(isObj);
  if (!sample) return undefined;
  const keys = Object.keys(sample).filter((k) => !k.startsWith('$'));
  return order && keys.length === 1 ? keys[0] : ['name', 'port', 'containerPort', 'mountPath', 'devicePath', 'ip', 'type', 'topologyKey'].find((k) => k in sample);
};

function strategicList(current: Json[] | undefined, patch: Json[], order: Json[] | undefined): Json[] {
  const key = mergeKeyOf(order, patch);
  if (!key || !patch.concat(current ?? []).every((e) => isObj(e))) return structuredClone(patch);
  const same = (a: Json, b: Json) => isObj(a) && isObj(b) && JSON.stringify(a[key]) === JSON.stringify(b[key]);
  let out: Json[] = structuredClone(current ?? []);
  for (const p of patch) {
    if (!isObj(p)) continue;
    if (p.$patch === 'delete') {
      out = out.filter((e) => !same(e, p));
      continue;
    }
    const i = out.findIndex((e) => same(e, p));
    if (i >= 0) out[i] = strategicMerge(out[i]!, p);
    else out.push(strategicMerge({}, p));
  }
  if (order) {
    const rank = (e: Json) => { const i = order.findIndex((o) => same(o, e)); return i < 0 ? order.length : i; };
    out.sort((a, b) => rank(a) - rank(b));
  }
  return out;
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _drop, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return {};
  const out: Obj = isObj(target) ? { ...target } : {};
  const orders = new Map<string, Json[]>();
  for (const [k, v] of Object.entries(patch)) if (k.startsWith('$setElementOrder/') && Array.isArray(v)) orders.set(k.slice('$setElementOrder/'.length), v);
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const list = out[field];
      if (Array.isArray(list)) out[field] = list.filter((e) => !v.some((d) => JSON.stringify(d) === JSON.stringify(e)));
      continue;
    }
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = strategicList(Array.isArray(out[k]) ? (out[k] as Json[]) : undefined, v, orders.get(k));
    else out[k] = strategicMerge(out[k] ?? null, v);
  }
  // An order directive with no patch entries still reorders (and drops nothing).
  for (const [k, order] of orders) if (!(k in patch) && Array.isArray(out[k])) out[k] = strategicList(out[k] as Json[], [], order);
  return out;
}

export class JsonPatchError extends Error {}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer ${path}`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new JsonPatchError('a JSON patch is a list of operations');
  let doc = structuredClone(target);
  for (const op of ops) {
    if (!isObj(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw new JsonPatchError('each operation needs op and path');
    const path = pointer(op.path);
    if (path.length === 0) {
      if (op.op === 'replace' || op.op === 'add') doc = structuredClone(op.value ?? null);
      continue;
    }
    let parent: Json = doc;
    for (const k of path.slice(0, -1)) {
      parent = Array.isArray(parent) ? (parent[Number(k)] ?? null) : isObj(parent) ? (parent[k] ?? null) : null;
      if (parent === null) throw new JsonPatchError(`path ${op.path} does not exist`);
    }
    const last = path[path.length - 1]!;
    const get = () => (Array.isArray(parent) ? parent[Number(last)] : isObj(parent) ? parent[last] : undefined);
    switch (op.op) {
      case 'test':
        if (JSON.stringify(get()) !== JSON.stringify(op.value)) throw new JsonPatchError(`test failed at ${op.path}`);
        break;
      case 'remove':
        if (get() === undefined) throw new JsonPatchError(`path ${op.path} does not exist`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete (parent as Obj)[last];
        break;
      case 'add':
      case 'replace':
        if (op.op === 'replace' && get() === undefined) throw new JsonPatchError(`path ${op.path} does not exist`);
        if (Array.isArray(parent)) {
          if (last === '-') parent.push(structuredClone(op.value ?? null));
          else parent.splice(Number(last), op.op === 'replace' ? 1 : 0, structuredClone(op.value ?? null));
        } else (parent as Obj)[last] = structuredClone(op.value ?? null);
        break;
      default:
        throw new JsonPatchError(`unsupported operation ${op.op}`);
    }
  }
  return doc;
}
