/** A small JSON client for tests to seed and inspect the test API server (plain HTTP, as kubectl would). */
import { parseAllDocuments } from 'yaml';
import { referenceDocuments } from '../reference.js';
import type { KubeApiServer } from './server.js';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

export class TestClient {
  constructor(private readonly server: KubeApiServer) {}

  path(o: { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } }, withName = true): string {
    const t = this.server.typeOfKind(o.apiVersion, o.kind);
    if (!t) throw new Error(`the test server does not serve ${o.apiVersion} ${o.kind}`);
    const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    const ns = t.namespaced ? `/namespaces/${o.metadata?.namespace ?? 'default'}` : '';
    return `${base}${ns}/${t.resource}${withName && o.metadata?.name ? `/${o.metadata.name}` : ''}`;
  }

  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await fetch(`${this.server.url}${path}`, { method, headers: { 'content-type': contentType, 'user-agent': 'smi-tests' }, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async create(o: K8sObject): Promise<K8sObject> {
    const r = await this.request('POST', this.path(o, false), o);
    if (r.status !== 201) throw new Error(`create ${o.kind} ${o.metadata.name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as K8sObject;
  }

  /** Creates, or merge-patches what exists. */
  async put(o: K8sObject): Promise<K8sObject> {
    const got = await this.request('GET', this.path(o));
    if (got.status === 404) return this.create(o);
    const r = await this.request('PATCH', this.path(o), o, 'application/merge-patch+json');
    if (r.status !== 200) throw new Error(`patch ${o.kind} ${o.metadata.name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as K8sObject;
  }

  async get(o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<K8sObject | undefined> {
    const r = await this.request('GET', this.path(o));
    return r.status === 200 ? (r.body as K8sObject) : undefined;
  }

  async list(apiVersion: string, kind: string, namespace?: string): Promise<K8sObject[]> {
    const t = this.server.typeOfKind(apiVersion, kind);
    if (!t) return [];
    const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    const r = await this.request('GET', `${base}${namespace ? `/namespaces/${namespace}` : ''}/${t.resource}`);
    return (r.body.items as K8sObject[] | undefined) ?? [];
  }

  async delete(o: K8sObject): Promise<number> {
    return (await this.request('DELETE', this.path(o))).status;
  }

  /** Every object in YAML text, created in order (namespaces first if they are missing). */
  async applyYaml(text: string): Promise<void> {
    for (const d of parseAllDocuments(text)) {
      const o = d.toJS() as K8sObject | null;
      if (!o?.kind) continue;
      if (o.metadata.namespace) await this.ensureNamespace(o.metadata.namespace);
      await this.put(o);
    }
  }

  async ensureNamespace(name: string): Promise<void> {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    if (!(await this.get(ns))) await this.create(ns);
  }

  /** Registers the reference CRDs of a mesh (test/reference/crds/<folder>). */
  async installReferenceCrds(folder: string): Promise<void> {
    for (const crd of referenceDocuments(folder) as K8sObject[]) if (crd?.kind === 'CustomResourceDefinition' && !(await this.get(crd))) await this.create(crd);
  }
}

/** Polls until `check` returns a value (not undefined/false), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
