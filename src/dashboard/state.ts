/**
 * What the dashboard answers from (pure): the policy model of the input, the input's diagnostics, and
 * each selected mesh's translation of it. Built the same way from files and from a cluster's objects.
 */
import type { Diagnostic } from '../api/diagnostic.js';
import type { ValidatedSet } from '../api/validate.js';
import type { AccessMode, PolicyModel } from '../policy/model.js';
import { resolvePolicy } from '../policy/resolve.js';
import { scopeOptions } from '../targets/registry.js';
import type { Target, TranslateOptions } from '../targets/target.js';
import type { MeshSide } from './what-if.js';

export interface DashboardState {
  readonly model: PolicyModel;
  readonly input: readonly Diagnostic[];
  readonly sides: readonly MeshSide[];
}

export interface DashboardSettings {
  readonly mode: AccessMode;
  /** -n: the namespaces smi governs; otherwise the default scope. */
  readonly namespaces?: readonly string[];
  readonly meshes: readonly { readonly target: Target; readonly options: TranslateOptions }[];
}

export function dashboardState(input: ValidatedSet, settings: DashboardSettings): DashboardState {
  const model = resolvePolicy(input, { mode: settings.mode, scope: scopeOptions(settings.namespaces) });
  const sides = settings.meshes.map(({ target, options }) => ({ target, options, translation: target.translate(model, options) }));
  return { model, input: input.diagnostics, sides };
}
