/** TrafficSplit on its own: weights, backends, the root service. */
import type { TrafficSplit } from '../split/v1alpha4.js';
import type { TrafficSplit as TrafficSplitV1 } from '../split/v1alpha1.js';
import type { Report } from '../objects.js';
import type { AnyObject } from '../schema.js';
import { serviceNameProblem } from '../names.js';
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

export function checkTrafficSplit(split: TrafficSplit, report: Report): void {
  const { service, backends } = split.spec;
  const rootProblem = serviceNameProblem(service);
  if (rootProblem) report('error', 'SMI_INVALID_NAME', ['spec', 'service'], `service name "${service}" ${rootProblem}`);
  const seen = new Map<string, number>();
  backends.forEach((backend, i) => {
    const problem = serviceNameProblem(backend.service);
    if (problem) report('error', 'SMI_INVALID_NAME', ['spec', 'backends', i, 'service'], `service name "${backend.service}" ${problem}`);
    if (backend.service === service) {
      report('error', 'SMI_SPLIT_SELF_BACKEND', ['spec', 'backends', i, 'service'],
        `backend "${backend.service}" is the root service itself; the spec forbids self-referential splits (the root selects every version). Point it at a version-specific Service`);
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
