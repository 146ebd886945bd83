/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: the
 * holder renews within the lease duration; others take over once it has expired. Every write carries
 * the resourceVersion it read, so two candidates never both win.
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease, type V1MicroTime } from '@kubernetes/client-node';
import { httpStatus } from './writer.js';

/**
 * A Lease's times are MicroTime: kube-apiserver parses them with exactly six fractional digits and
 * refuses a Date's three (400 "cannot parse .049Z"), so leadership was never won on a real server.
 * client-node passes a value of a type it has no model for through as it is: a string, typed as the
 * field wants it.
 */
export const microTime = (d: Date): V1MicroTime => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as V1MicroTime;

export interface LeaseOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly retryPeriodMs: number;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private timer?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;

  constructor(kc: KubeConfig, private readonly options: LeaseOptions, private readonly callbacks: { onStartedLeading: () => void; onStoppedLeading: () => void; onError?: (e: unknown) => void }) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      const ok = await this.tryAcquireOrRenew().catch((e: unknown) => {
        this.callbacks.onError?.(e);
        return false;
      });
      if (ok && !this.leading) {
        this.leading = true;
        this.callbacks.onStartedLeading();
      } else if (!ok && this.leading) {
        this.leading = false;
        this.callbacks.onStoppedLeading();
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.retryPeriodMs);
    };
    void tick();
  }

  /** Stops campaigning; a leader gives the lease up so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.readNamespacedLease({ name: this.options.name, namespace: this.options.namespace });
      if (lease.spec?.holderIdentity === this.options.identity) {
        lease.spec = { ...lease.spec, holderIdentity: undefined, renewTime: undefined };
        await this.api.replaceNamespacedLease({ name: this.options.name, namespace: this.options.namespace, body: lease });
      }
    } catch {
      // the lease expires on its own
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity, leaseDurationSeconds } = this.options;
    const nowDate = new Date();
    const now = microTime(nowDate);
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (e) {
      if (httpStatus(e) !== 404) throw e;
      await this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 } } });
      return true;
    }
    const spec = lease.spec ?? {};
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = !spec.holderIdentity || renewed + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000 < nowDate.getTime();
    if (spec.holderIdentity !== identity && !expired) return false;
    const taking = spec.holderIdentity !== identity;
    lease.spec = {
      ...spec, holderIdentity: identity, leaseDurationSeconds, renewTime: now,
      ...(taking ? { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch (e) {
      if (httpStatus(e) === 409) return false; // someone else wrote it first
      throw e;
    }
  }
}
