/**
 * Which namespaces smi governs (docs/semantics.md A8). SMI's deny-by-default is right for the
 * workloads a user put under SMI and an outage for everything else (kube-system, a mesh's control
 * plane and gateways, smi itself), so everything smi decides and writes is limited to a scope: by
 * default the namespaces that hold SMI objects or are labelled `smi-spec.io/enforce: "true"`, never
 * a system namespace; or exactly the namespaces named explicitly (`-n`), system ones included.
 */

export const ENFORCE_LABEL = 'smi-spec.io/enforce';

/**
 * Kubernetes' own namespaces and smi's: in scope only when named explicitly. The meshes' control
 * planes join them from each target (Target.systemNamespaces), passed in by the edges (ScopeOptions.system).
 */
const SYSTEM: readonly RegExp[] = [/^kube-/, /^smi-system$/];

export interface Scope {
  /** The namespaces smi governs. */
  readonly namespaces: ReadonlySet<string>;
  /** Every namespace the input mentions, in or out, with the reason, for `smi explain` and logs. */
  readonly why: ReadonlyMap<string, string>;
  /** Whether the scope was named explicitly (-n) rather than derived. */
  readonly explicit: boolean;
}

export interface ScopeOptions {
  /** Exactly these namespaces (system ones included): the controller's and the CLI's -n. */
  readonly namespaces?: readonly string[];
  /** System namespaces beside Kubernetes' own and smi's: the meshes' control planes (targets/registry.ts systemNamespaces()). */
  readonly system?: readonly RegExp[];
}

export interface ScopeInput {
  /** Namespaces holding SMI objects (valid or not). */
  readonly smi: ReadonlySet<string>;
  /** Namespaces the input mentions at all (workloads, Services, SMI objects, Namespace objects). */
  readonly seen: ReadonlySet<string>;
  /** Labels of the Namespace objects the input holds. */
  readonly labels: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

function isSystemNamespace(namespace: string, extra: readonly RegExp[]): boolean {
  return SYSTEM.some((r) => r.test(namespace)) || extra.some((r) => r.test(namespace));
}

export function computeScope(input: ScopeInput, options: ScopeOptions = {}): Scope {
  const why = new Map<string, string>();
  const namespaces = new Set<string>();
  if (options.namespaces && options.namespaces.length > 0) {
    for (const ns of options.namespaces) {
      namespaces.add(ns);
      why.set(ns, 'named explicitly (-n)');
    }
    for (const ns of input.seen) if (!namespaces.has(ns)) why.set(ns, 'not among the namespaces named with -n');
    return { namespaces, why, explicit: true };
  }
  for (const ns of [...input.seen].sort()) {
    const label = input.labels.get(ns)?.[ENFORCE_LABEL];
    if (isSystemNamespace(ns, options.system ?? [])) why.set(ns, 'a system namespace (kube-*, a mesh\'s control plane or smi\'s own): in scope only when named with -n');
    else if (label === 'false') why.set(ns, `labelled ${ENFORCE_LABEL}=false`);
    else if (input.smi.has(ns)) {
      namespaces.add(ns);
      why.set(ns, 'holds SMI objects');
    } else if (label === 'true') {
      namespaces.add(ns);
      why.set(ns, `labelled ${ENFORCE_LABEL}=true`);
    } else why.set(ns, `holds no SMI objects and is not labelled ${ENFORCE_LABEL}=true`);
  }
  return { namespaces, why, explicit: false };
}

/** One line for logs and stderr: which namespaces are in scope. */
export function describeScope(scope: Scope): string {
  const inside = [...scope.namespaces].sort();
  const outside = [...scope.why.keys()].filter((ns) => !scope.namespaces.has(ns)).sort();
  return `scope${scope.explicit ? ' (named with -n)' : ''}: ${inside.length > 0 ? inside.join(', ') : 'no namespace'}${outside.length > 0 ? `; left alone: ${outside.join(', ')}` : ''}`;
}
