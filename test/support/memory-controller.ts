/** The controller on a MemoryCluster: no HTTP, no kubeconfig; its reads and writes are the cluster's. */
import pino from 'pino';
import { Controller } from '../../src/controller/controller.js';
import { ControllerMetrics } from '../../src/controller/metrics.js';
import type { ClusterWriter } from '../../src/kube/writer.js';
import type { AccessMode } from '../../src/policy/model.js';
import { DEFAULT_OPTIONS, type Target, type TranslateOptions } from '../../src/targets/target.js';
import type { MemoryCluster } from './memory-cluster.js';

export interface MemoryControllerOptions {
  readonly target: Target;
  readonly translate?: TranslateOptions;
  readonly mode?: AccessMode;
  readonly namespaces?: readonly string[];
  readonly dryRun?: boolean;
  /** Leading from the start (default), as without leader election. */
  readonly leading?: boolean;
  /** Wraps the cluster's writer (to slow it down, or to watch the order of writes). */
  readonly wrapWriter?: (writer: ClusterWriter) => ClusterWriter;
}

export interface MemoryController {
  readonly controller: Controller;
  readonly metrics: ControllerMetrics;
  readonly writes: ClusterWriter['writes'];
  /** Total writes of any kind. */
  writeCount(): number;
  /** Waits until the watch has delivered what was written and the queue is empty. */
  settled(): Promise<void>;
  /** With a key that keeps failing (and so never leaves the queue): waits until nothing has been written for quietMs. */
  quiet(quietMs?: number, maxMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const tick = async () => { await new Promise((r) => setTimeout(r, 1)); await new Promise((r) => setImmediate(r)); };

export async function controllerOn(cluster: MemoryCluster, options: MemoryControllerOptions): Promise<MemoryController> {
  const metrics = new ControllerMetrics();
  const writer = options.wrapWriter ? options.wrapWriter(cluster.writer()) : cluster.writer();
  const controller = new Controller(undefined, {
    target: options.target, translate: options.translate ?? DEFAULT_OPTIONS, mode: options.mode ?? 'strict',
    log: pino({ level: 'silent' }), metrics, batchDelayMs: 0, reader: cluster.reader, writer,
    ...(options.namespaces ? { namespaces: options.namespaces } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  controller.setLeading(options.leading ?? true);
  await controller.start();
  const writeCount = () => writer.writes.applies + writer.writes.deletes + writer.writes.statuses + writer.writes.events;
  return {
    controller, metrics, writes: writer.writes, writeCount,
    async settled() {
      // Writes echo back as changes, which queue more work: settle until a round changes nothing.
      for (let last = -1; last !== writeCount();) {
        last = writeCount();
        await tick();
        await controller.idle();
        await tick();
      }
    },
    async quiet(quietMs = 300, maxMs = 10_000) {
      const end = Date.now() + maxMs;
      for (let last = -1; last !== writeCount() && Date.now() < end;) {
        last = writeCount();
        await new Promise((r) => setTimeout(r, quietMs));
      }
    },
    stop: () => controller.stop(),
  };
}
