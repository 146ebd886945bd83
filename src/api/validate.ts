/**
 * Documents → checked SMI objects (with their hub form) + inventory objects + diagnostics.
 * Order: identify the kind and version, check the schema, convert to the hub, check the object,
 * then check references across the whole set.
 */
import { checkerFor } from './schema-check.js';
import type { LoadedDocument } from './document.js';
import { formatPath, type Diagnostic, type FieldPath, type Severity } from './diagnostic.js';
import type { AnyObject } from './schema.js';
import type { KubeObject, Report, SmiObject } from './objects.js';
import { objectLabel } from './objects.js';
import { KINDS, findKind, findVersion, hubVersion, type KindDef } from './registry.js';
import { CONVERSION_ANNOTATION, convertObject, readTruth } from './convert.js';
import { isRecord, splitApiVersion } from './object.js';
import { INVENTORY_KINDS } from './watched-kinds.js';
import { schemaProblems } from './schema-errors.js';
import { closest, labelProblem, subdomainProblem } from './names.js';
import { checkHttpRouteGroup } from './checks/http-route-group.js';
import { checkPortRoute } from './checks/port-route.js';
import { checkTrafficTarget } from './checks/traffic-target.js';
import { checkTrafficSplit, checkQuantityWeights } from './checks/traffic-split.js';
import { checkIdentityBinding } from './checks/identity-binding.js';
import { checkReferences } from './checks/references.js';
import type { TrafficTarget } from './access/v1alpha3.js';
import type { TrafficSplit } from './split/v1alpha4.js';
import type { HTTPRouteGroup, TCPRoute } from './specs/v1alpha4.js';
import type { IdentityBinding } from './access/v1alpha4.js';

export interface ValidateOptions {
  /** Missing referents become errors: the input is the whole picture. */
  readonly strict?: boolean;
  /** Namespace of objects that name none (kubectl's -n; default "default"). */
  readonly defaultNamespace?: string;
  /** Warn on each object read into the default namespace because it names none (a kustomize base must not land there unsaid). */
  readonly warnDefaultedNamespace?: boolean;
}

export interface ValidatedSet {
  /** Every SMI object that passed the schema, valid or not. */
  readonly smi: SmiObject[];
  /** The SMI objects without errors: the only ones later stages act on (fail closed). */
  readonly valid: SmiObject[];
  readonly kube: KubeObject[];
  readonly diagnostics: Diagnostic[];
}


/** Field moves between versions, so a problem found on the hub form points at the field as written. */
function sourcePathMapper(def: KindDef, version: string): (p: FieldPath) => FieldPath {
  const hubOnly = (p: FieldPath): FieldPath => p;
  if (def.kind === 'TrafficTarget' && version === 'v1alpha1') {
    return (p) => (p[0] !== 'spec' ? p : p[1] === 'rules' ? ['specs', ...p.slice(2)] : p.slice(1));
  }
  if (def.kind === 'HTTPRouteGroup' && (version === 'v1alpha1' || version === 'v1alpha2')) {
    return (p) => (p[0] === 'spec' ? p.slice(1) : p);
  }
  return hubOnly;
}

const SMI_SUFFIX = 'smi-spec.io';
/** The namespaced kinds smi reads besides SMI's (its inventory). */
const READ_NAMESPACED = new Set(INVENTORY_KINDS.filter((k) => k.namespaced).map((k) => `${k.apiVersion}/${k.kind}`));

export function validateDocuments(documents: readonly LoadedDocument[], options: ValidateOptions = {}): ValidatedSet {
  const diagnostics: Diagnostic[] = [];
  const smi: SmiObject[] = [];
  const kube: KubeObject[] = [];
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const failed = new Set<SmiObject>();
  /** SMI objects present in the input but too malformed to use: references to them are not "missing". */
  const broken = new Set<string>();

  for (const doc of documents) {
    const at = (severity: Severity, code: string, path: FieldPath, message: string, atKey = false, object?: string): void => {
      const loc = doc.origin.locate(path, atKey);
      diagnostics.push({ severity, code, message, path: formatPath(path), file: loc.file ?? doc.origin.file, line: loc.line, column: loc.column, object });
    };
    const value = doc.value;
    if (!isRecord(value)) {
      at('error', 'SMI_NOT_AN_OBJECT', [], `a document must be a Kubernetes object (a map with apiVersion and kind), not ${Array.isArray(value) ? 'a list' : typeof value === 'string' ? 'a string' : String(value)}`);
      continue;
    }
    if (typeof value.apiVersion !== 'string' || value.apiVersion === '') {
      at('error', 'SMI_MISSING_API_VERSION', ['apiVersion'], 'apiVersion is missing or not a string; e.g. split.smi-spec.io/v1alpha4');
      continue;
    }
    if (typeof value.kind !== 'string' || value.kind === '') {
      at('error', 'SMI_MISSING_KIND', ['kind'], 'kind is missing or not a string; e.g. TrafficSplit');
      continue;
    }
    const { group, version } = splitApiVersion(value.apiVersion);
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    const named = typeof metadata.namespace === 'string' && metadata.namespace !== '';
    const namespace = named ? (metadata.namespace as string) : defaultNamespace;
    const name = typeof metadata.name === 'string' ? metadata.name : '';
    if (!named && options.warnDefaultedNamespace && (group.endsWith(SMI_SUFFIX) || READ_NAMESPACED.has(`${value.apiVersion}/${value.kind}`))) {
      at('warning', 'SMI_NAMESPACE_DEFAULTED', ['metadata'], `${value.kind} ${name || '<unnamed>'} names no namespace and is read as "default"; give -n NAMESPACE for objects that name none (as kubectl apply -n would), or set metadata.namespace`, true);
    }

    if (!group.endsWith(SMI_SUFFIX)) {
      kube.push({ apiVersion: value.apiVersion, kind: value.kind, namespace, name, object: value as AnyObject, origin: doc.origin });
      continue;
    }
    const groupKinds = KINDS.filter((k) => k.group === group);
    if (groupKinds.length === 0) {
      const groups = [...new Set(KINDS.map((k) => k.group))];
      const hint = closest(group, groups);
      at('error', 'SMI_UNKNOWN_GROUP', ['apiVersion'], `"${group}" is not an SMI API group${hint ? `; did you mean "${hint}"?` : ''} (groups: ${groups.join(', ')})`);
      continue;
    }
    const def = findKind(group, value.kind);
    if (!def) {
      const hint = closest(value.kind, groupKinds.map((k) => k.kind));
      at('error', 'SMI_UNKNOWN_KIND', ['kind'], `${group} has no kind "${value.kind}"${hint ? `; did you mean "${hint}"?` : ''} (kinds: ${groupKinds.map((k) => k.kind).join(', ')})`);
      continue;
    }
    const versionDef = findVersion(def, version);
    if (!versionDef) {
      at('error', 'SMI_UNKNOWN_VERSION', ['apiVersion'],
        `${def.kind} has no version "${version}"; SMI published ${def.versions.map((v) => `${group}/${v.version}`).join(', ')}`);
      continue;
    }
    const label = `${def.kind}/${namespace}/${name || '<unnamed>'}`;
    const checker = checkerFor(versionDef.schema);
    if (!checker.Check(value)) {
      for (const p of schemaProblems(checker.Errors(value))) at('error', p.code, p.path, p.message, p.atKey, label);
      broken.add(`${def.kind}/${namespace}/${name}`);
      continue;
    }
    if (versionDef.experimental) {
      at('info', 'SMI_EXPERIMENTAL', ['apiVersion'], `${value.apiVersion} ${def.kind} comes from the spec's unreleased working draft; it may change`, false, label);
    }
    const object = value as AnyObject;
    // Policy reads the truth as far as it can be trusted (readTruth), converted to the hub.
    const truth = readTruth(object);
    const converted = convertObject(truth.object, `${group}/${hubVersion(def).version}`);
    if (!converted.ok) {
      at('error', converted.code, [], converted.message, false, label);
      continue;
    }
    const sourcePath = sourcePathMapper(def, version);
    const smiObject: SmiObject = {
      def, version, object, hub: converted.value.object, truth: truth.object, namespace, name, origin: doc.origin, sourcePath,
    };
    const report: Report = (severity, code, hubPath, message, atKey) => {
      if (severity === 'error') failed.add(smiObject);
      at(severity, code, sourcePath(hubPath), message, atKey, label);
    };
    if (truth.problem) {
      if (truth.problem.severity === 'error') failed.add(smiObject);
      at(truth.problem.severity, truth.problem.code, ['metadata', 'annotations', CONVERSION_ANNOTATION], truth.problem.message, false, label);
    }
    const nameProblem = name === '' ? 'is missing: every object needs metadata.name' : subdomainProblem(name);
    if (nameProblem) report('error', name === '' ? 'SMI_MISSING_NAME' : 'SMI_INVALID_NAME', ['metadata', 'name'], `metadata.name ${name === '' ? '' : `"${name}" `}${nameProblem}`);
    const nsProblem = labelProblem(namespace);
    if (nsProblem) report('error', 'SMI_INVALID_NAME', ['metadata', 'namespace'], `namespace "${namespace}" ${nsProblem}`);
    if (def.kind === 'TrafficSplit' && version === 'v1alpha1') checkQuantityWeights(object, report);
    checkObject(smiObject, report);
    smi.push(smiObject);
  }

  checkReferences(smi, broken, options.strict ?? false, (o, severity, code, hubPath, message) => {
    if (severity === 'error') failed.add(o);
    const path = o.sourcePath(hubPath);
    const loc = o.origin.locate(path);
    diagnostics.push({ severity, code, message, path: formatPath(path), file: loc.file ?? o.origin.file, line: loc.line, column: loc.column, object: objectLabel(o) });
  });
  checkKubeDuplicates(kube, diagnostics);
  return { smi, valid: smi.filter((o) => !failed.has(o)), kube, diagnostics };
}

/**
 * The same Service (Deployment, ServiceAccount, …) defined twice with different content: which one the
 * cluster holds depends on the order of applying, so policy read from either could be wrong. Reported
 * like a duplicate SMI object; a repeat of the very same object (a file listed twice) is harmless.
 */
function checkKubeDuplicates(kube: readonly KubeObject[], diagnostics: Diagnostic[]): void {
  const first = new Map<string, { object: KubeObject; text: string }>();
  for (const o of kube) {
    if (o.name === '') continue;
    const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
    const key = `${group}/${o.kind}/${o.kind === 'Namespace' ? '' : o.namespace}/${o.name}`;
    const { status: _status, ...rest } = o.object as Record<string, unknown>;
    const text = JSON.stringify(rest);
    const seen = first.get(key);
    if (!seen) {
      first.set(key, { object: o, text });
      continue;
    }
    if (seen.text === text) continue;
    diagnostics.push({
      severity: 'error', code: 'SMI_DUPLICATE_OBJECT', path: '', file: o.origin.file, line: o.origin.line, column: o.origin.column, object: `${o.kind}/${o.namespace}/${o.name}`,
      message: `${o.kind} ${o.kind === 'Namespace' ? o.name : `${o.namespace}/${o.name}`} is defined twice with different content (first at ${seen.object.origin.file}:${seen.object.origin.line}); the cluster keeps only one, so keep one`,
    });
  }
}

function checkObject(o: SmiObject, report: Report): void {
  switch (o.def.kind) {
    case 'HTTPRouteGroup': return checkHttpRouteGroup(o.hub as unknown as HTTPRouteGroup, report);
    case 'TCPRoute':
    case 'UDPRoute': return checkPortRoute(o.hub as unknown as TCPRoute, report);
    case 'TrafficTarget': return checkTrafficTarget(o.hub as unknown as TrafficTarget, o.namespace, report);
    case 'TrafficSplit': return checkTrafficSplit(o.hub as unknown as TrafficSplit, o.namespace, report);
    case 'IdentityBinding': return checkIdentityBinding(o.hub as unknown as IdentityBinding, report);
    default: return undefined;
  }
}
