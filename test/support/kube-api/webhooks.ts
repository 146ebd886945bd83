/**
 * How the API test server calls webhooks, as kube-apiserver does: ValidatingWebhookConfigurations
 * whose rules match a create or update get an AdmissionReview (a denial fails the request with the
 * webhook's message, warnings become Warning headers, failurePolicy decides when it cannot be
 * reached); CRDs with `conversion.strategy: Webhook` have objects converted between the version a
 * client speaks and the storage version through a ConversionReview. clientConfig.url only (a
 * Service cannot be resolved here), verified against the caBundle.
 */
import { request } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { ResourceType } from './resources.js';
import { ApiError, type Obj } from './store.js';

interface ClientConfig { url?: string; caBundle?: string }
interface Rule { apiGroups?: string[]; apiVersions?: string[]; operations?: string[]; resources?: string[]; scope?: string }
export interface ValidatingWebhook { name: string; clientConfig: ClientConfig; rules?: Rule[]; failurePolicy?: 'Fail' | 'Ignore'; timeoutSeconds?: number }

function post(config: ClientConfig, body: unknown, timeoutMs: number): Promise<unknown> {
  if (!config.url) return Promise.reject(new Error('only clientConfig.url is supported by the test server'));
  const url = new URL(config.url);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({
      // kube-apiserver passes the webhook's timeout as a query parameter.
      host: url.hostname, port: url.port || 443, path: `${url.pathname}?timeout=${Math.round(timeoutMs / 1000)}s`, method: 'POST', timeout: timeoutMs,
      ...(config.caBundle ? { ca: Buffer.from(config.caBundle, 'base64').toString('utf8') } : {}),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`the webhook answered ${res.statusCode}: ${text.slice(0, 200)}`));
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error('the webhook answered something that is not JSON'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('the webhook timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

const fits = (list: string[] | undefined, value: string) => !list || list.includes('*') || list.includes(value);

export async function validate(webhooks: readonly ValidatingWebhook[], operation: 'CREATE' | 'UPDATE', t: ResourceType, object: Obj, oldObject: Obj | undefined): Promise<string[]> {
  const warnings: string[] = [];
  for (const wh of webhooks) {
    const matches = (wh.rules ?? []).some((r) => fits(r.operations, operation) && fits(r.apiGroups, t.group) && fits(r.apiVersions, t.version) && fits(r.resources, t.resource) && (!r.scope || r.scope === '*' || r.scope === (t.namespaced ? 'Namespaced' : 'Cluster')));
    if (!matches) continue;
    const uid = randomUUID();
    const review = {
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid, kind: { group: t.group, version: t.version, kind: t.kind }, resource: { group: t.group, version: t.version, resource: t.resource },
        operation, name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
        object, ...(oldObject ? { oldObject } : {}), dryRun: false, userInfo: { username: 'test-user' },
      },
    };
    let answer: { response?: { uid?: string; allowed?: boolean; status?: { code?: number; reason?: string; message?: string }; warnings?: string[] } };
    try {
      answer = (await post(wh.clientConfig, review, (wh.timeoutSeconds ?? 10) * 1000)) as typeof answer;
      if (answer.response?.uid !== uid) throw new Error('the webhook answered another request\'s uid');
    } catch (e) {
      if (wh.failurePolicy === 'Ignore') continue;
      throw new ApiError(500, 'InternalError', `Internal error occurred: failed calling webhook "${wh.name}": ${e instanceof Error ? e.message : String(e)}`);
    }
    warnings.push(...(answer.response.warnings ?? []));
    if (!answer.response.allowed) {
      // As kube-apiserver does: the webhook's own Status, its message prefixed with who denied it, its details kept.
      const s = (answer.response.status ?? {}) as { code?: number; reason?: string; message?: string; details?: Record<string, unknown> };
      throw new ApiError(s.code ?? 403, s.reason ?? 'Forbidden', `admission webhook "${wh.name}" denied the request${s.message ? `: ${s.message}` : ''}`, s.details);
    }
  }
  return warnings;
}

export async function convert(config: ClientConfig, objects: Obj[], desiredAPIVersion: string): Promise<Obj[]> {
  if (objects.length === 0) return [];
  const uid = randomUUID();
  let answer: { response?: { uid?: string; convertedObjects?: Obj[]; result?: { status?: string; message?: string } } };
  try {
    answer = (await post(config, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid, desiredAPIVersion, objects } }, 10_000)) as typeof answer;
  } catch (e) {
    throw new ApiError(500, 'InternalError', `conversion webhook for ${desiredAPIVersion} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (answer.response?.result?.status !== 'Success' || answer.response.uid !== uid) {
    throw new ApiError(500, 'InternalError', `conversion webhook for ${desiredAPIVersion} failed: ${answer.response?.result?.message ?? 'no result'}`);
  }
  return answer.response.convertedObjects ?? [];
}
