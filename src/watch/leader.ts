/**
 * Leader election on a coordination.k8s.io/v1 Lease, the way client-go does
 * it: the holder renews every retry period; a candidate takes over when the
 * record it observed has not changed for a whole lease duration (measured on
 * its own clock, so clock skew between nodes does not matter). Writes use
 * the Lease's resourceVersion, so two candidates can never both win.
 */
import type { KubeClient } from '../kube/client.js';
import type { Logger } from './log.js';
import { sleep } from './backoff.js';

export interface LeaderOptions {
  client: Pick<KubeClient, 'request'>;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  log: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  now?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly o: LeaderOptions;
  private leading = false;
  private observed = '';
  private observedAt = 0;
  private lastRenew = 0;

  constructor(options: LeaderOptions) {
    this.o = options;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases`;
  }

  /** Campaigns and renews until the signal aborts, then releases the lease if held. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.o.log.warn('lease request failed', { lease: this.o.name, error: (err as Error).message });
      }
      if (ok) {
        this.lastRenew = this.now();
        if (!this.leading) {
          this.leading = true;
          this.o.log.info('became leader', { lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity });
          this.o.onStartedLeading();
        }
      } else if (this.leading && this.now() - this.lastRenew > this.o.renewDeadlineMs) {
        this.stepDown('could not renew the lease within the renew deadline');
      }
      await sleep(this.o.retryPeriodMs, signal);
    }
    if (this.leading) await this.release();
  }

  private stepDown(reason: string): void {
    this.leading = false;
    this.o.log.warn('lost leadership', { lease: this.o.name, reason });
    this.o.onStoppedLeading();
  }

  /** Returns true when this process holds the lease after the call. */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = this.now();
    const res = await this.o.client.request('GET', `${this.path}/${encodeURIComponent(this.o.name)}`, { signal, timeoutMs: this.o.retryPeriodMs * 2 + 1000 });
    const spec = (): LeaseSpec => ({
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      renewTime: microTime(now),
    });
    if (res.status === 404) {
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.o.name, namespace: this.o.namespace },
        spec: { ...spec(), acquireTime: microTime(now), leaseTransitions: 0 },
      };
      const created = await this.o.client.request('POST', this.path, { body: lease, signal });
      return created.status === 201;
    }
    if (res.status !== 200) throw new Error(`GET lease: HTTP ${res.status}`);
    const lease = JSON.parse(res.body) as Lease;
    const current = lease.spec ?? {};
    const record = JSON.stringify([current.holderIdentity, current.renewTime, current.acquireTime]);
    if (record !== this.observed) {
      this.observed = record;
      this.observedAt = now;
    }
    const holder = current.holderIdentity ?? '';
    const durationMs = (current.leaseDurationSeconds ?? Math.ceil(this.o.leaseDurationMs / 1000)) * 1000;
    const mine = holder === this.o.identity;
    if (!mine && holder !== '' && now < this.observedAt + durationMs) return false;
    const next: Lease = {
      ...lease,
      spec: mine
        ? { ...current, ...spec() }
        : { ...spec(), acquireTime: microTime(now), leaseTransitions: (current.leaseTransitions ?? 0) + 1 },
    };
    const updated = await this.o.client.request('PUT', `${this.path}/${encodeURIComponent(this.o.name)}`, { body: next, signal });
    if (updated.status === 200) {
      const saved = (JSON.parse(updated.body) as Lease).spec ?? {};
      this.observed = JSON.stringify([saved.holderIdentity, saved.renewTime, saved.acquireTime]);
      this.observedAt = now;
      return true;
    }
    return false;
  }

  /** Gives the lease up at shutdown so a standby takes over at once. */
  private async release(): Promise<void> {
    this.leading = false;
    this.o.onStoppedLeading();
    try {
      const res = await this.o.client.request('GET', `${this.path}/${encodeURIComponent(this.o.name)}`, { timeoutMs: 3000 });
      if (res.status !== 200) return;
      const lease = JSON.parse(res.body) as Lease;
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) };
      await this.o.client.request('PUT', `${this.path}/${encodeURIComponent(this.o.name)}`, { body: lease, timeoutMs: 3000 });
      this.o.log.info('released the lease', { lease: this.o.name });
    } catch {
      // best effort: the lease expires on its own
    }
  }
}
