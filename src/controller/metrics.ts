/** The controller's Prometheus metrics (prom-client), on their own registry. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: 'smi_controller_reconciles_total', help: 'Reconciles run', labelNames: ['result'], registers: [this.registry] });
  readonly writes = new Counter({ name: 'smi_controller_writes_total', help: 'Writes to the API server', labelNames: ['verb'], registers: [this.registry] });
  readonly duration = new Histogram({ name: 'smi_controller_reconcile_duration_seconds', help: 'Time to reconcile', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'smi_controller_queue_depth', help: 'Keys waiting in the work queue', registers: [this.registry] });
  readonly cached = new Gauge({ name: 'smi_controller_cached_objects', help: 'Objects in the informer cache', registers: [this.registry] });
  readonly inScope = new Gauge({ name: 'smi_controller_namespace_in_scope', help: "1 for a namespace smi governs, 0 for one it leaves alone (kube-*, a mesh's or smi's own, no SMI objects and no opt-in label)", labelNames: ['namespace'], registers: [this.registry] });
  readonly dryRunPending = new Gauge({ name: 'smi_controller_dry_run_pending_changes', help: 'With --dry-run: resources the controller would create, update or delete and did not', labelNames: ['verb'], registers: [this.registry] });
  readonly leader = new Gauge({ name: 'smi_controller_leader', help: '1 while this replica holds the lease', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
