/**
 * A Kubernetes API test server that speaks the real protocol, for @kubernetes/client-node and the
 * real kubectl: discovery, /version, CRUD with Status errors, label/field selectors, list + watch
 * with resourceVersions, bookmarks and 410 Gone, optimistic concurrency, generation, the status
 * subresource, JSON merge / strategic merge (as merge) / server-side apply patches with managed
 * fields, CRDs that register their kinds, cascading deletion, and fault injection for tests.
 * The real kube-apiserver (test/cluster/) is what the e2e tests run on; this server is for what the
 * real one cannot do on demand: injected faults (dropped watches, 410s, conflicts, slow or failing
 * writes) and quick controller tests. Tests only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { ApplyConflict, recordUpdate, serverSideApply, type Json } from './managed-fields.js';
import { apiVersionOf, BUILTIN, storageKey, typesOfCrd, type CrdObject, type ResourceType } from './resources.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';
import { ApiError, notFound, Store, type Obj, type WatchEvent } from './store.js';
import { jsonPatch, JsonPatchError, mergePatch, strategicMerge } from './patches.js';
import { convert as convertObjects, validate as validateWithWebhooks, type ValidatingWebhook } from './webhooks.js';

interface Answer { code: number; body: unknown; warnings?: string[] }

export interface Fault {
  /** HTTP method and a substring of the path it applies to. */
  readonly method?: string;
  readonly path?: string;
  /** Answer with this status code (a Status body) instead of serving the request. */
  readonly status?: number;
  /** Delay before serving, in ms. */
  readonly latencyMs?: number;
  /** How many requests it applies to; default 1. */
  times?: number;
}

export interface ApiServerOptions {
  /** Bookmark interval for watches that allow them, in ms. */
  readonly bookmarkIntervalMs?: number;
  /** Events kept for watches to resume from. */
  readonly eventLogLimit?: number;
}

interface Route {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const json = (v: unknown): Json => v as Json;

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

export class KubeApiServer {
  readonly store: Store;
  private readonly types = new Map<string, ResourceType>();
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<ServerResponse>();
  private readonly faults: Fault[] = [];
  /** Aggregated API groups: group → backend base URL (what an APIService's Service resolves to). */
  private readonly aggregated = new Map<string, { url: string; versions: string[] }>();
  private readonly bookmarkIntervalMs: number;
  /** Every request served, for tests that count writes. */
  readonly requests: { method: string; path: string; status: number; userAgent?: string }[] = [];
  port = 0;

  constructor(private readonly options: ApiServerOptions = {}) {
    this.store = new Store(options.eventLogLimit ?? 10_000);
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
    for (const t of BUILTIN) this.types.set(`${t.group}/${t.version}/${t.resource}`, t);
    for (const ns of ['default', 'kube-system', 'kube-public']) this.store.create(this.type('', 'v1', 'namespaces')!, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as Obj);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Like kube-apiserver, keep idle connections longer than clients do, so a reused one is not closed under them.
    this.server.keepAliveTimeout = 120_000;
    this.server.headersTimeout = 125_000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port || this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const w of this.watches) w.destroy();
    this.watches.clear();
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Goes away and comes back on the same port with the same data, as an API server restart does. */
  async restart(downMs = 100): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start(this.port);
  }

  /** Ends every open watch (clients must re-watch), as a dropped connection does. */
  dropWatches(): void {
    for (const w of this.watches) w.destroy();
    this.watches.clear();
  }

  /** Serves an API group from another server, as the aggregation layer does for an APIService. */
  aggregate(group: string, versions: string[], url: string): void {
    this.aggregated.set(group, { url, versions });
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  kubeconfig(): string {
    return [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters:', `- name: test`, `  cluster: {server: "${this.url}", insecure-skip-tls-verify: true}`,
      'users:', '- name: test', '  user: {token: test-token}',
      'contexts:', '- name: test', '  context: {cluster: test, user: test, namespace: default}', '',
    ].join('\n');
  }

  type(group: string, version: string, resource: string): ResourceType | undefined {
    return this.types.get(`${group}/${version}/${resource}`);
  }

  /**
   * Loads objects straight into storage (CRDs first, namespaces made as needed), as a test fixture
   * or benchmark seed: the same checks as a create, without HTTP.
   */
  seed(objects: readonly Record<string, unknown>[]): void {
    const now = new Date().toISOString();
    const ordered = [...objects.filter((o) => o.kind === 'CustomResourceDefinition'), ...objects.filter((o) => o.kind !== 'CustomResourceDefinition')];
    const nsType = this.type('', 'v1', 'namespaces')!;
    for (const o of ordered) {
      const t = this.typeOfKind(String(o.apiVersion), String(o.kind));
      if (!t) throw new Error(`seed: the server does not serve ${String(o.apiVersion)} ${String(o.kind)}`);
      const meta = (o.metadata ?? {}) as { name: string; namespace?: string };
      if (t.namespaced) {
        const ns = meta.namespace ?? 'default';
        if (!this.store.get(nsType, undefined, ns)) this.store.create(nsType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as Obj);
      }
      this.createObject({ type: t, ...(t.namespaced ? { namespace: meta.namespace ?? 'default' } : {}) }, o as Obj, 'seed', now);
    }
  }

  /** The stored-version-agnostic lookup by kind, for tests. */
  typeOfKind(apiVersion: string, kind: string): ResourceType | undefined {
    return [...this.types.values()].find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (code: number, body: unknown, contentType = 'application/json') => {
      this.requests.push({ method: req.method ?? '', path: url.pathname, status: code, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) });
      if (res.headersSent) return;
      res.writeHead(code, { 'Content-Type': contentType });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      const fault = this.faults.find((f) => (!f.method || f.method === req.method) && (!f.path || url.pathname.includes(f.path)) && (f.times ?? 1) > 0);
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
        if (fault.status) {
          const reason = fault.status === 409 ? 'Conflict' : fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : 'InternalError';
          return send(fault.status, status(fault.status, reason, `injected fault: ${fault.status}`));
        }
      }
      const body = await this.body(req);
      const answer = await this.serve(req.method ?? 'GET', url, body, req, res);
      if (answer === 'streaming') return;
      // Go writes header bytes as they are (UTF-8 warnings included); Node's headers are Latin-1 strings.
      for (const w of answer.warnings ?? []) res.appendHeader('Warning', Buffer.from(`299 - ${JSON.stringify(w)}`, 'utf8').toString('latin1'));
      send(answer.code, answer.body);
    } catch (e) {
      if (e instanceof ApiError) return send(e.code, status(e.code, e.reason, e.message, e.details));
      if (e instanceof ApplyConflict) return send(409, status(409, 'Conflict', e.message, { causes: e.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: `.${(JSON.parse(c.field) as string[]).join('.')}` })) }));
      if (e instanceof SelectorError) return send(400, status(400, 'BadRequest', e.message));
      send(500, status(500, 'InternalError', e instanceof Error ? e.message : String(e)));
    }
  }

  private body(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  private parseBody(text: string, contentType: string | undefined): Obj {
    if (contentType?.includes('protobuf') || contentType?.includes('cbor')) {
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
    }
    try {
      const value = contentType?.includes('yaml') ? parseYaml(text) : JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
      return value as Obj;
    } catch (e) {
      throw new ApiError(400, 'BadRequest', `the body of the request could not be decoded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private discovery(url: URL): { code: number; body: unknown } | undefined {
    const p = url.pathname.replace(/\/$/, '');
    const all = [...this.types.values()];
    const groups = new Map<string, string[]>();
    for (const t of all) if (t.group !== '') groups.set(t.group, [...new Set([...(groups.get(t.group) ?? []), t.version])]);
    const resourceList = (group: string, version: string) => {
      const ts = all.filter((t) => t.group === group && t.version === version);
      if (ts.length === 0) return undefined;
      const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
      return {
        kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version,
        resources: ts.flatMap((t) => [
          { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs, ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}) },
          ...(t.statusSubresource ? [{ name: `${t.resource}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }] : []),
        ]),
      };
    };
    if (p === '/version') return { code: 200, body: { major: '1', minor: '32', gitVersion: 'v1.32.0-smi-test', platform: 'linux/amd64' } };
    if (p === '/healthz' || p === '/readyz' || p === '/livez') return { code: 200, body: 'ok' };
    // Not Kubernetes: the test server's own cost, for benchmarks that must tell it apart.
    if (p === '/debug/stats') return { code: 200, body: { rssBytes: process.memoryUsage().rss, cpuMicros: process.cpuUsage(), objects: this.store.all().length, requests: this.requests.length } };
    if (p === '/api') return { code: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }] } };
    if (p === '/api/v1') return { code: 200, body: resourceList('', 'v1') };
    if (p === '/apis') {
      return {
        code: 200,
        body: {
          kind: 'APIGroupList', apiVersion: 'v1',
          groups: [...groups, ...[...this.aggregated].map(([g, a]) => [g, a.versions] as [string, string[]])].sort(([a], [b]) => a.localeCompare(b)).map(([name, versions]) => {
            const storage = all.find((t) => t.group === name && t.storageVersion)?.storageVersion;
            const preferred = storage && versions.includes(storage) ? storage : [...versions].sort().reverse()[0]!;
            return { name, versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })), preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred } };
          }),
        },
      };
    }
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(p);
    if (m) {
      const [, group, version] = m;
      if (!version) {
        const versions = groups.get(group!);
        if (!versions) return { code: 404, body: status(404, 'NotFound', `the server could not find the requested resource`) };
        return { code: 200, body: { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })), preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] } } };
      }
      const list = resourceList(group!, version);
      return list ? { code: 200, body: list } : { code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
    }
    return undefined;
  }

  /**
   * OpenAPI v3 as kubectl reads it: a root listing one document per group/version, and documents
   * whose PATCH operations carry the GVK extension and the fieldValidation parameter, so kubectl
   * leaves field validation to the server. Schemas are not published (v2 is not served).
   */
  private openapi(url: URL): { code: number; body: unknown } | undefined {
    if (!url.pathname.startsWith('/openapi/')) return undefined;
    const all = [...this.types.values()];
    const gvs = [...new Set(all.map((t) => (t.group === '' ? `api/${t.version}` : `apis/${t.group}/${t.version}`)))].sort();
    if (url.pathname === '/openapi/v3' || url.pathname === '/openapi/v3/') {
      return { code: 200, body: { paths: Object.fromEntries(gvs.map((gv) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${this.store.resourceVersion}` }])) } };
    }
    const gv = url.pathname.slice('/openapi/v3/'.length);
    if (!url.pathname.startsWith('/openapi/v3/') || !gvs.includes(gv)) return { code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
    const paths: Record<string, unknown> = {};
    for (const t of all.filter((x) => (x.group === '' ? `api/${x.version}` : `apis/${x.group}/${x.version}`) === gv)) {
      const gvk = { group: t.group, version: t.version, kind: t.kind };
      const op = (action: string) => ({
        'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk,
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }, { name: 'fieldManager', in: 'query', schema: { type: 'string' } }, { name: 'dryRun', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'OK' } },
      });
      const base = `/${gv}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}`;
      paths[base] = { post: op('post'), get: op('list') };
      paths[`${base}/{name}`] = { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
    }
    return { code: 200, body: { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } } };
  }

  private route(url: URL): Route | undefined {
    const parts = url.pathname.replace(/\/$/, '').split('/').slice(1);
    let group = '';
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      version = parts[1] ?? '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      group = parts[1] ?? '';
      version = parts[2] ?? '';
      rest = parts.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = this.type(group, version, rest[0] ?? '');
    if (!type) return undefined;
    if (namespace !== undefined && !type.namespaced) return undefined;
    return { type, ...(namespace !== undefined ? { namespace } : {}), ...(rest[1] ? { name: decodeURIComponent(rest[1]) } : {}), ...(rest[2] ? { subresource: rest[2] } : {}) };
  }

  /** Objects are stored once per type; each version serves them with its own apiVersion. */
  private served(t: ResourceType, o: Obj): Obj {
    return { ...o, apiVersion: apiVersionOf(t), kind: t.kind } as Obj;
  }

  private async serve(method: string, url: URL, text: string, req: IncomingMessage, res: ServerResponse): Promise<Answer | 'streaming'> {
    const group = /^\/apis\/([^/]+)/.exec(url.pathname)?.[1];
    const backend = group ? this.aggregated.get(group) : undefined;
    if (backend) {
      // Proxied as the aggregation layer does, with the user it authenticated in X-Remote-User.
      const r = await fetch(`${backend.url}${url.pathname}${url.search}`, { method, headers: { 'X-Remote-User': 'test-user' }, ...(method !== 'GET' && text ? { body: text } : {}) });
      const body = await r.text();
      return { code: r.status, body: body ? (JSON.parse(body) as unknown) : {} };
    }
    const d = this.discovery(url);
    if (d) return d;
    const openapi = this.openapi(url);
    if (openapi) return openapi;
    const requested = this.route(url);
    if (!requested) return { code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
    const q = url.searchParams;
    if (requested.namespace !== undefined && method !== 'GET' && requested.type.resource !== 'namespaces' && !this.store.get(this.type('', 'v1', 'namespaces')!, undefined, requested.namespace)) {
      throw new ApiError(404, 'NotFound', `namespaces "${requested.namespace}" not found`, { name: requested.namespace, kind: 'namespaces' });
    }
    const manager = q.get('fieldManager') ?? (String(req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown');
    const now = new Date().toISOString();
    const dryRun = q.get('dryRun') === 'All';
    const contentType = req.headers['content-type'] ?? '';

    // A custom resource spoken in another version than it is stored in goes through its conversion webhook.
    const conversion = this.conversionOf(requested.type);
    const r: Route = conversion ? { ...requested, type: conversion.storage } : requested;
    const t = r.type;
    const toClient = async (o: Obj): Promise<Obj> => (conversion ? (await convertObjects(conversion.clientConfig, [this.served(t, o)], apiVersionOf(requested.type)))[0]! : this.served(t, o));
    const toStorage = async (o: Obj): Promise<Obj> => (conversion ? (await convertObjects(conversion.clientConfig, [o], apiVersionOf(t)))[0]! : o);

    if (method === 'GET' && !r.name) {
      if (q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(r, q, res, conversion ? (o) => toClient(o) : undefined);
      const list = this.listBody(r, q) as { items: Obj[]; apiVersion: string };
      if (conversion) {
        list.items = await convertObjects(conversion.clientConfig, list.items, apiVersionOf(requested.type));
        list.apiVersion = apiVersionOf(requested.type);
      }
      return { code: 200, body: list };
    }
    if (method === 'GET') {
      const o = this.store.get(t, r.namespace, r.name!);
      if (!o) throw notFound(t, r.name!);
      return { code: 200, body: await toClient(o) };
    }
    if (method === 'POST' && !r.name) {
      const o = await toStorage(this.parseBody(text, contentType));
      const warnings = await this.admit('CREATE', requested.type, this.createObject(r, o, manager, now, true), undefined);
      const created = this.createObject(r, o, manager, now, dryRun);
      return { code: 201, body: await toClient(created), warnings };
    }
    if (method === 'PUT' && r.name) {
      const o = await toStorage(this.parseBody(text, contentType));
      this.checkIdentity(r, o);
      const before = this.store.get(t, r.namespace, r.name);
      if (!before) throw notFound(t, r.name);
      const statusOnly = r.subresource === 'status';
      const tracked = recordUpdate(before, { ...o, metadata: { ...o.metadata, managedFields: o.metadata?.managedFields ?? before.metadata.managedFields ?? null } } as Obj, manager, now, statusOnly ? 'status' : undefined) as Obj;
      const warnings = statusOnly ? [] : await this.admit('UPDATE', requested.type, tracked, before);
      const updated = dryRun ? tracked : this.store.update(t, tracked, { statusOnly });
      return { code: 200, body: await toClient(updated), warnings };
    }
    if (method === 'PATCH' && r.name) {
      const current = this.store.get(t, r.namespace, r.name);
      let body = text;
      let type = contentType;
      if (conversion && contentType.startsWith('application/apply-patch')) {
        body = JSON.stringify(await toStorage(this.parseBody(text, 'application/yaml')));
      } else if (conversion) {
        // A patch is written against the version the client speaks: apply it there, then store.
        if (!current) throw notFound(t, r.name);
        const inClientVersion = await toClient(current);
        const patched = contentType.startsWith('application/json-patch') ? jsonPatch(json(inClientVersion), JSON.parse(text) as Json) : contentType.startsWith('application/strategic') ? strategicMerge(json(inClientVersion), json(this.parseBody(text, 'application/json'))) : mergePatch(json(inClientVersion), json(this.parseBody(text, 'application/json')));
        body = JSON.stringify(await toStorage(patched as Obj));
        type = 'application/merge-patch+json';
      }
      const preview = this.patch(r, body, type, manager, q.get('force') === 'true', now, true);
      const subresource = r.subresource === 'status';
      const warnings = subresource ? [] : await this.admit(current ? 'UPDATE' : 'CREATE', requested.type, preview, current);
      const patched = this.patch(r, body, type, manager, q.get('force') === 'true', now, dryRun);
      return { code: current ? 200 : 201, body: await toClient(patched), warnings };
    }
    if (method === 'DELETE' && r.name) {
      const options = text ? this.parseBody(text, 'application/json') : ({} as Obj);
      const propagation = String((options as Record<string, Json>).propagationPolicy ?? q.get('propagationPolicy') ?? 'Background');
      const uid = ((options as Record<string, Json>).preconditions as Record<string, Json> | undefined)?.uid;
      const deleted = this.deleteObject(t, r.namespace, r.name, propagation, typeof uid === 'string' ? uid : undefined);
      return { code: 200, body: this.served(requested.type, deleted) };
    }
    if (method === 'DELETE' && !r.name) {
      for (const o of this.matching(r, q)) this.deleteObject(t, o.metadata.namespace, o.metadata.name, 'Background');
      return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };
    }
    return { code: 405, body: status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`) };
  }

  /** The storage version and webhook of a CRD whose conversion strategy is Webhook, when `t` is not stored as is. */
  private conversionOf(t: ResourceType): { storage: ResourceType; clientConfig: { url?: string; caBundle?: string } } | undefined {
    if (!t.storageVersion || t.storageVersion === t.version) return undefined;
    const crd = this.store.get(this.type('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!, undefined, `${t.resource}.${t.group}`) as unknown as { spec?: { conversion?: { strategy?: string; webhook?: { clientConfig?: { url?: string; caBundle?: string } } } } } | undefined;
    const conversion = crd?.spec?.conversion;
    if (conversion?.strategy !== 'Webhook' || !conversion.webhook?.clientConfig) return undefined;
    const storage = this.type(t.group, t.storageVersion, t.resource);
    return storage ? { storage, clientConfig: conversion.webhook.clientConfig } : undefined;
  }

  /** Registered validating webhooks judge creates and updates; their warnings go back to the client. */
  private async admit(operation: 'CREATE' | 'UPDATE', t: ResourceType, object: Obj, oldObject: Obj | undefined): Promise<string[]> {
    const vwcType = this.type('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations')!;
    const webhooks = this.store.list(vwcType, undefined).flatMap((c) => ((c as unknown as { webhooks?: ValidatingWebhook[] }).webhooks ?? []));
    if (webhooks.length === 0) return [];
    return validateWithWebhooks(webhooks, operation, t, this.served(t, object), oldObject ? this.served(t, oldObject) : undefined);
  }

  private checkIdentity(r: Route, o: Obj): void {
    const meta = o.metadata ?? {};
    if (r.name && meta.name && meta.name !== r.name) throw new ApiError(400, 'BadRequest', `the name of the object (${meta.name}) does not match the name on the URL (${r.name})`);
    if (r.namespace && meta.namespace && meta.namespace !== r.namespace) throw new ApiError(400, 'BadRequest', `the namespace of the provided object does not match the namespace sent on the request`);
    if (o.kind && o.kind !== r.type.kind) throw new ApiError(400, 'BadRequest', `the kind ${String(o.kind)} does not match ${r.type.kind}`);
    // As kube-apiserver decodes MicroTime: exactly six fractional digits (a Date's three are refused).
    if (r.type.kind === 'Lease') {
      for (const field of ['renewTime', 'acquireTime']) {
        const v = (o.spec as Record<string, unknown> | undefined)?.[field];
        if (v !== undefined && v !== null && (typeof v !== 'string' || !MICRO_TIME.test(v))) {
          throw new ApiError(400, 'BadRequest', `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05.000000Z07:00"`);
        }
      }
    }
  }

  private validate(t: ResourceType, o: Obj): void {
    const causes: { field: string; message: string }[] = [];
    const name = o.metadata?.name;
    if (!name) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
    else if (name.length > 253 || !NAME.test(name)) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
    for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) if (typeof v !== 'string' || v.length > 63) causes.push({ field: `metadata.labels[${k}]`, message: 'Invalid value: must be no more than 63 characters' });
    if (causes.length > 0) {
      throw new ApiError(422, 'Invalid', `${t.kind} "${name ?? ''}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, { name, group: t.group, kind: t.kind, causes: causes.map((c) => ({ reason: 'FieldValueInvalid', ...c })) });
    }
  }

  private createObject(r: Route, input: Obj, manager: string, now: string, dryRun = false): Obj {
    const t = r.type;
    this.checkIdentity(r, input);
    const o = structuredClone(input);
    o.metadata = { ...(o.metadata ?? {}) };
    if (!o.metadata.name && typeof o.metadata.generateName === 'string') o.metadata.name = `${o.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
    if (t.namespaced) o.metadata.namespace = r.namespace ?? o.metadata.namespace ?? 'default';
    o.apiVersion = apiVersionOf(t);
    o.kind = t.kind;
    this.validate(t, o);
    if (t.statusSubresource && t.resource !== 'customresourcedefinitions') delete o.status;
    const tracked = recordUpdate(undefined, o, manager, now) as Obj;
    if (dryRun) return tracked;
    if (t.resource === 'customresourcedefinitions') return this.createCrd(tracked);
    return this.store.create(t, tracked);
  }

  private createCrd(o: Obj): Obj {
    const crd = o as unknown as CrdObject;
    const types = typesOfCrd(crd);
    if (types.length === 0 || crd.metadata.name !== `${crd.spec.names.plural}.${crd.spec.group}`) {
      throw new ApiError(422, 'Invalid', `CustomResourceDefinition.apiextensions.k8s.io "${crd.metadata.name}" is invalid: metadata.name: must be spec.names.plural+"."+spec.group`);
    }
    const established = { ...o, status: { conditions: [{ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' }, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted' }], acceptedNames: crd.spec.names, storedVersions: [types[0]!.storageVersion ?? types[0]!.version] } } as unknown as Obj;
    const created = this.store.create(this.type('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!, established);
    for (const t of types) this.types.set(`${t.group}/${t.version}/${t.resource}`, t);
    return created;
  }

  private patch(r: Route, text: string, contentType: string, manager: string, force: boolean, now: string, dryRun: boolean): Obj {
    const t = r.type;
    const current = this.store.get(t, r.namespace, r.name!);
    const subresource = r.subresource === 'status' ? 'status' : undefined;
    if (contentType.startsWith('application/apply-patch')) {
      const applied = this.parseBody(text, 'application/yaml');
      this.checkIdentity(r, applied);
      if (!applied.metadata) applied.metadata = { name: r.name! };
      applied.metadata.name ??= r.name!;
      if (t.namespaced) applied.metadata.namespace = r.namespace ?? applied.metadata.namespace;
      if (!this.hasManager(manager)) throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      const next = serverSideApply(current as Obj | undefined, applied, manager, force, now, subresource) as Obj;
      next.apiVersion = apiVersionOf(t);
      next.kind = t.kind;
      if (!current) {
        this.validate(t, next);
        if (dryRun) return next;
        if (t.resource === 'customresourcedefinitions') return this.createCrd(next);
        return this.store.create(t, next);
      }
      next.metadata.resourceVersion = current.metadata.resourceVersion;
      return dryRun ? next : this.store.update(t, next, { statusOnly: subresource === 'status' });
    }
    if (!current) throw notFound(t, r.name!);
    let patched: Obj;
    if (contentType.startsWith('application/merge-patch+json')) {
      patched = mergePatch(json(current), json(this.parseBody(text, 'application/json'))) as Obj;
    } else if (contentType.startsWith('application/strategic-merge-patch+json')) {
      patched = strategicMerge(json(current), json(this.parseBody(text, 'application/json'))) as Obj;
    } else if (contentType.startsWith('application/json-patch+json')) {
      try {
        patched = jsonPatch(json(current), JSON.parse(text) as Json) as Obj;
      } catch (e) {
        if (e instanceof JsonPatchError || e instanceof SyntaxError) throw new ApiError(422, 'Invalid', `the JSON patch could not be applied: ${e.message}`);
        throw e;
      }
    } else throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    this.checkIdentity(r, patched);
    this.validate(t, patched);
    const tracked = recordUpdate(current, patched, manager, now, subresource) as Obj;
    return dryRun ? tracked : this.store.update(t, tracked, { statusOnly: subresource === 'status' });
  }

  private hasManager(manager: string): boolean {
    return manager !== '' && manager !== 'unknown';
  }

  private deleteObject(t: ResourceType, namespace: string | undefined, name: string, propagation: string, uid?: string): Obj {
    const deleted = this.store.delete(t, namespace, name, uid);
    if (t.resource === 'customresourcedefinitions') {
      const crd = deleted as unknown as CrdObject;
      for (const ct of typesOfCrd(crd)) {
        this.store.dropType(ct);
        this.types.delete(`${ct.group}/${ct.version}/${ct.resource}`);
      }
    }
    if (t.resource === 'namespaces') {
      for (const { type, object } of this.store.all()) {
        if (object.metadata.namespace !== name) continue;
        const dt = [...this.types.values()].find((x) => storageKey(x) === type);
        if (dt) this.store.delete(dt, name, object.metadata.name);
      }
    }
    if (!deleted.metadata.deletionTimestamp || (deleted.metadata.finalizers ?? []).length === 0) this.collect(deleted.metadata.uid!, propagation);
    return deleted;
  }

  /** Garbage collection: dependents of a deleted owner go too (orphan: they lose the reference). */
  private collect(uid: string, propagation: string): void {
    for (const { type, object } of this.store.dependents(uid)) {
      const t = [...this.types.values()].find((x) => storageKey(x) === type);
      if (!t) continue;
      if (propagation === 'Orphan') {
        const kept = { ...object, metadata: { ...object.metadata, ownerReferences: (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid) } };
        this.store.update(t, kept);
        continue;
      }
      // An object with another owner still alive loses only the dangling reference, as the GC does.
      const others = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (others.some((r) => this.store.all().some(({ object: o }) => o.metadata.uid === r.uid))) {
        this.store.update(t, { ...object, metadata: { ...object.metadata, ownerReferences: others } });
        continue;
      }
      try {
        this.deleteObject(t, object.metadata.namespace, object.metadata.name, propagation);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  }

  private matching(r: Route, q: URLSearchParams): Obj[] {
    const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined);
    return this.store.list(r.type, r.namespace).filter((o) => labels(o.metadata.labels ?? {}) && fields(o));
  }

  private listBody(r: Route, q: URLSearchParams): unknown {
    const t = r.type;
    // As kube-apiserver does: the items of built-in lists carry no apiVersion and kind (custom resources' do).
    const custom = t.group !== '' && this.store.get(this.type('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!, undefined, `${t.resource}.${t.group}`) !== undefined;
    const items = this.matching(r, q).map((o) => this.served(t, o)).map((o) => {
      if (custom) return o;
      const { apiVersion: _a, kind: _k, ...rest } = o as Obj & { apiVersion?: string; kind?: string };
      return rest as Obj;
    });
    const limit = Number(q.get('limit') ?? 0);
    const start = Number(q.get('continue') ?? 0);
    const page = limit > 0 ? items.slice(start, start + limit) : items;
    const more = limit > 0 && start + limit < items.length;
    return { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(this.store.resourceVersion), ...(more ? { continue: String(start + limit), remainingItemCount: items.length - start - limit } : {}) }, items: page };
  }

  private watch(r: Route, q: URLSearchParams, res: ServerResponse, transform?: (o: Obj) => Promise<Obj>): 'streaming' {
    const t = r.type;
    const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined);
    const fits = (e: WatchEvent) => e.type_ === storageKey(t) && (r.namespace === undefined || e.object.metadata.namespace === r.namespace) && labels(e.object.metadata.labels ?? {}) && fields(e.object);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    this.requests.push({ method: 'WATCH', path: `${storageKey(t)}`, status: 200 });
    // Events leave in order even when each must first go through a conversion webhook.
    let chain: Promise<unknown> = Promise.resolve();
    const write = (type: string, object: unknown) => {
      chain = chain.then(async () => {
        const out = transform && type !== 'BOOKMARK' && type !== 'ERROR' ? await transform(object as Obj) : object;
        res.write(`${JSON.stringify({ type, object: out })}\n`);
      }).catch(() => res.destroy());
    };
    const rvParam = q.get('resourceVersion');
    let lastRv = this.store.resourceVersion;
    if (!rvParam || rvParam === '0') {
      for (const o of this.matching(r, q)) write('ADDED', this.served(t, o));
    } else {
      const from = Number(rvParam);
      const events = this.store.since(from);
      if (!events) {
        write('ERROR', status(410, 'Expired', `too old resource version: ${from} (${this.store.oldest})`));
        void chain.then(() => res.end());
        return 'streaming';
      }
      for (const e of events) if (fits(e)) write(e.type, this.served(t, e.object));
    }
    const unsubscribe = this.store.subscribe((e) => {
      lastRv = e.rv;
      if (fits(e)) write(e.type, this.served(t, e.object));
    });
    const bookmarks = q.get('allowWatchBookmarks') === 'true'
      ? setInterval(() => write('BOOKMARK', { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(Math.max(lastRv, this.store.resourceVersion)) } }), this.bookmarkIntervalMs)
      : undefined;
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    this.watches.add(res);
    const done = () => {
      unsubscribe();
      if (bookmarks) clearInterval(bookmarks);
      if (timer) clearTimeout(timer);
      this.watches.delete(res);
    };
    res.on('close', done);
    res.on('finish', done);
    return 'streaming';
  }
}
