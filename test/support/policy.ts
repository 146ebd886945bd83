/** Builds policy models from YAML text or plain objects, the way the CLI does from files. */
import { stringify } from 'yaml';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { scopeOptions } from '../../src/targets/registry.js';
import type { AccessMode, PolicyModel } from '../../src/policy/model.js';
import { validateYaml } from './inputs.js';
import { httpParts, type AccessRequest, type Protocol } from '../../src/policy/request.js';

export function modelOf(text: string, mode: AccessMode = 'strict'): PolicyModel {
  const v = validateYaml(text);
  const errors = v.all.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`test input has errors: ${errors.map((e) => `${e.line}: ${e.message}`).join('; ')}`);
  return resolvePolicy(v, { mode, scope: scopeOptions() });
}

export function modelOfObjects(objects: readonly unknown[], mode: AccessMode = 'strict'): PolicyModel {
  const v = validateYaml(objects.map((o) => stringify(o)).join('---\n'));
  return resolvePolicy(v, { mode, scope: scopeOptions() });
}

/** "ns/sa" → identity. */
export const id = (s: string) => {
  const [namespace = '', name = ''] = s.split('/');
  return { namespace, name };
};

export function httpRequest(from: string, to: string, method: string, path: string, options: { port?: number; headers?: Record<string, string> } = {}): AccessRequest {
  return {
    source: from === 'unauthenticated' ? 'unauthenticated' : id(from),
    destination: id(to),
    protocol: 'http',
    ...(options.port !== undefined ? { port: options.port } : {}),
    http: httpParts(method, path, Object.entries(options.headers ?? {})),
  };
}

export function l4Request(from: string, to: string, protocol: Exclude<Protocol, 'http'>, port?: number): AccessRequest {
  return { source: id(from), destination: id(to), protocol, ...(port !== undefined ? { port } : {}) };
}

/** A Deployment manifest (YAML text) whose pods run as a ServiceAccount, labelled app=<name>. */
export function deploymentYaml(namespace: string, name: string, serviceAccount: string, ports: number[]): string {
  return `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {serviceAccountName: ${serviceAccount}, containers: [{name: c, image: i, ports: [${ports.map((p) => `{containerPort: ${p}}`).join(', ')}]}]}
`;
}

/** A Service manifest (YAML text) selecting app=<app> (default: its own name) on one port. */
export function serviceYaml(namespace: string, name: string, port: number, app = name): string {
  return `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {selector: {app: ${app}}, ports: [{port: ${port}}]}
`;
}
