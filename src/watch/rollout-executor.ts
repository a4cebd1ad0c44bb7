/**
 * Rollouts: a workload whose configs changed waits in the scheduler; when it
 * runs, it is decided again (changes may have coalesced or reverted) and, if
 * it still has to roll, patched. A failed patch is retried with backoff (1 s
 * doubling to 60 s, at most MAX_ATTEMPTS); 404 means the workload is gone.
 */
import type { KubeResponse } from '../kube/client.js';
import { statusMessage } from '../kube/errors.js';
import { backoffDelay } from './backoff.js';
import type { BaselineQueue } from './baseline-queue.js';
import type { EventRecorder } from './events.js';
import type { Logger } from './log.js';
import type { WatchMetrics } from './metrics.js';
import { rollPatch, type PatchWorkload } from './patches.js';
import { ANN, onlyChanged, withDeletions, type AnnotationKeys, type Decision, type Strategy, type WorkloadRecord } from './policy.js';
import { Scheduler, type RunResult } from './scheduler.js';
import type { ReloadAlerter } from './alerts.js';

export const MAX_ATTEMPTS = 8;

export interface RolloutExecutorOptions {
  strategy: Strategy;
  dryRun: boolean;
  debounceMs: number;
  minIntervalMs: number;
  qps: number;
  burst: number;
  /** the decision for a workload now, or undefined when it is not managed (or gone) */
  decide(key: string): { w: WorkloadRecord; d: Decision } | undefined;
  isLeading(): boolean;
  patch: PatchWorkload;
  baselines: BaselineQueue;
  events: EventRecorder;
  metrics: WatchMetrics;
  log: Logger;
  /** the paused-at key the rollout patch writes (Reloader's --pause-deployment-time-annotation) */
  keys?: Pick<AnnotationKeys, 'pausedAt'>;
  /**
   * CronJobs and Jobs are not patched: a CronJob gets a Job created from it, a Job is deleted
   * and created again (jobs.ts); resolves 200 on success, like a patch
   */
  rollJob?(w: WorkloadRecord, d: Extract<Decision, { action: 'roll' }>): Promise<KubeResponse>;
  /** Reloader's ALERT_ON_RELOAD: told about every successful rollout */
  alerts?: ReloadAlerter;
}

/** A workload waiting to roll: since when, which configs changed, failed attempts so far. */
interface Pending {
  since: number;
  changed: Set<string>;
  attempt: number;
}

export class RolloutExecutor {
  private readonly pending = new Map<string, Pending>();
  /**
   * The hash each workload was last rolled to, until a watch event shows it recorded. A watch
   * event older than that patch (e.g. of the baseline written just before) carries the previous
   * hash; without this it would look like a change not yet rolled and roll a second time.
   */
  private readonly applied = new Map<string, string>();
  private readonly scheduler: Scheduler;

  constructor(private readonly o: RolloutExecutorOptions) {
    this.scheduler = new Scheduler({
      debounceMs: o.debounceMs,
      minIntervalMs: o.minIntervalMs,
      qps: o.qps,
      burst: o.burst,
      run: (key) => this.execute(key),
      onQueueDepth: (n) => o.metrics.queueDepth.set(n),
    });
  }

  /** Schedules the workload; `change` (`Kind/name` of a config) is named in the log and the event. */
  schedule(key: string, change?: string, now = Date.now()): void {
    const p = this.pending.get(key) ?? { since: now, changed: new Set<string>(), attempt: 0 };
    if (change) p.changed.add(change);
    this.pending.set(key, p);
    this.scheduler.schedule(key);
  }

  /** A workload record arrived from the API server: once it shows our last roll, that roll is no longer pending confirmation. */
  observe(key: string, w: WorkloadRecord): void {
    const h = this.applied.get(key);
    if (h !== undefined && (w.recorded === h || w.stamp === h)) this.applied.delete(key);
  }

  /** Was the workload already rolled to this hash, by a patch its cached record does not show yet? */
  alreadyRolled(key: string, hash: string): boolean {
    return this.applied.get(key) === hash;
  }

  /** The workload is gone. */
  forget(key: string): void {
    this.applied.delete(key);
    this.scheduler.forget(key);
    this.pending.delete(key);
  }

  /** Leadership lost: drop everything waiting. */
  clear(): void {
    this.applied.clear();
    this.scheduler.clear();
    this.pending.clear();
  }

  /** Leadership gained. */
  resume(): void {
    this.scheduler.resume();
  }

  stop(): void {
    this.scheduler.stop();
  }

  /** The scheduler's job: re-decide now and act. */
  private async execute(key: string): Promise<RunResult> {
    if (!this.o.isLeading()) return 'skipped';
    const found = this.o.decide(key);
    const p = this.pending.get(key);
    if (!found || found.d.action === 'none') {
      this.pending.delete(key);
      return 'skipped';
    }
    const { w } = found;
    let d = found.d;
    if (d.action === 'roll' && this.alreadyRolled(key, d.hash)) {
      this.pending.delete(key);
      return 'skipped';
    }
    const changed = p ? [...p.changed] : [];
    if (this.o.strategy === 'env-vars' && w.kind !== 'Rollout' && changed.length) d = withDeletions(d, w, changed);
    if (d.action === 'baseline') {
      this.pending.delete(key);
      this.o.baselines.enqueue(key, w, d.hash, 'first meeting');
      return 'skipped';
    }
    if (changed.length) d = onlyChanged(d, w, changed);
    if (this.o.dryRun) {
      this.pending.delete(key);
      this.o.metrics.recordReload(w.kind, w.namespace, 'dry-run');
      this.o.log.info('dry-run: would roll', { workload: key, hash: d.hash.slice(0, 12), changed });
      return 'skipped';
    }
    let res: KubeResponse;
    try {
      res = this.o.rollJob && (w.kind === 'CronJob' || w.kind === 'Job') ? await this.o.rollJob(w, d) : await this.o.patch(w, rollPatch(w, d, this.o.strategy, new Date(), this.o.keys));
    } catch (err) {
      res = { status: 0, body: JSON.stringify({ message: (err as Error).message }), headers: {} };
    }
    if (res.status === 200) {
      this.pending.delete(key);
      this.applied.set(key, d.hash);
      w.recorded = d.hash;
      const restart = w.kind === 'Rollout' && w.annotations[ANN.rolloutStrategy] === 'restart';
      if (!restart && (this.o.strategy === 'annotations' || w.kind === 'Rollout')) w.stamp = d.hash;
      else {
        Object.assign(w.env, d.env ?? {});
        w.envContainers = { ...w.envContainers, ...d.envContainers };
        for (const name of d.removeEnv ?? []) {
          delete w.env[name];
          delete w.envContainers[name];
        }
      }
      this.o.metrics.recordReload(w.kind, w.namespace, 'success');
      if (p) this.o.metrics.latency.observe((Date.now() - p.since) / 1000);
      this.o.log.info('rolled', { workload: key, hash: d.hash.slice(0, 12), changed, strategy: this.o.strategy });
      this.o.alerts?.reloaded(w.kind, w.namespace, w.name, changed);
      void this.o.events.record(w, 'Normal', 'Reloaded', `Rolled for changes in ${changed.length ? changed.join(', ') : 'referenced configuration'} (hash ${d.hash.slice(0, 12)})`);
      return 'rolled';
    }
    if (res.status === 404) {
      this.pending.delete(key);
      return 'skipped';
    }
    this.o.metrics.recordReload(w.kind, w.namespace, 'failure');
    const attempt = (p?.attempt ?? 0) + 1;
    this.o.log.error('rollout patch failed', { workload: key, status: res.status, error: statusMessage(res), attempt });
    void this.o.events.record(w, 'Warning', 'ReloadFail', `Rollout patch failed: ${statusMessage(res)}`);
    if (p && attempt < MAX_ATTEMPTS) {
      p.attempt = attempt;
      setTimeout(() => this.scheduler.schedule(key), backoffDelay(attempt, { initialMs: 1000, maxMs: 60_000 })).unref();
    } else {
      this.pending.delete(key);
    }
    return 'failed';
  }
}
