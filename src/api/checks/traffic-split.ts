/** TrafficSplit on its own: weights, backends, the root service. */
import type { TrafficSplit } from '../split/v1alpha4.js';
import type { TrafficSplit as TrafficSplitV1 } from '../split/v1alpha1.js';
import type { Report } from '../objects.js';
import type { AnyObject } from '../schema.js';
import { rootServiceName, serviceNameProblem } from '../names.js';
import { parseQuantity, isNegative } from '../quantity.js';

/** v1alpha1 weights are quantities: the schema only knows "integer or string". */
export function checkQuantityWeights(written: AnyObject, report: Report): void {
  const split = written as unknown as TrafficSplitV1;
  split.spec.backends.forEach((backend, i) => {
    const q = parseQuantity(backend.weight);
    const path = ['spec', 'backends', i, 'weight'];
    if (q === undefined) {
      report('error', 'SMI_SPLIT_WEIGHT_INVALID', path, `weight ${JSON.stringify(backend.weight)} is not a Kubernetes quantity (e.g. 1, 500m, 1500m)`);
    } else if (isNegative(q)) {
      report('error', 'SMI_SPLIT_WEIGHT_NEGATIVE', path, `weight ${JSON.stringify(backend.weight)} is negative; weights are ≥ 0`);
    }
  });
}

export function checkTrafficSplit(split: TrafficSplit, namespace: string, report: Report): void {
  const { backends } = split.spec;
  const root = rootServiceName(split.spec.service, namespace);
  if ('problem' in root) report('error', 'SMI_INVALID_NAME', ['spec', 'service'], root.problem);
  else if (root.qualified) report('info', 'SMI_SPLIT_SERVICE_QUALIFIED', ['spec', 'service'], `"${split.spec.service}" is read as Service ${namespace}/${root.name}`);
  const service = 'name' in root ? root.name : split.spec.service;
  const seen = new Map<string, number>();
  backends.forEach((backend, i) => {
    const problem = serviceNameProblem(backend.service);
    if (problem) report('error', 'SMI_INVALID_NAME', ['spec', 'backends', i, 'service'], `service name "${backend.service}" ${problem}`);
    if (backend.service === service) {
      report('warning', 'SMI_SPLIT_SELF_BACKEND', ['spec', 'backends', i, 'service'],
        `backend "${backend.service}" is the root service itself. The spec rules self-referential splits out, but Linkerd's SMI examples use them; smi reads them as Linkerd did: this share goes to the root Service's own endpoints (every pod it selects) and is not split again. A version-specific Service says the same without the ambiguity`);
    }
    const first = seen.get(backend.service);
    if (first !== undefined) {
      report('error', 'SMI_SPLIT_DUPLICATE_BACKEND', ['spec', 'backends', i, 'service'],
        `backend "${backend.service}" is already listed at backends[${first}]; give each Service one entry with the summed weight`);
    } else seen.set(backend.service, i);
  });
  if (backends.length > 0 && backends.every((b) => b.weight === 0)) {
    report('error', 'SMI_SPLIT_ALL_ZERO', ['spec', 'backends'], 'every backend has weight 0, so no backend could receive traffic; give at least one a positive weight');
  }
}
