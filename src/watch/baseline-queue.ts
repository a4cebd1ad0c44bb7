/**
 * Baseline writes: the hash a workload is first met with (or left at after an
 * edit that rolls by itself) is recorded on its metadata, which rolls nothing.
 * They bypass the rollout scheduler and its rate limit, with at most
 * BASELINE_CONCURRENCY patches in flight; a full pass over thousands of new
 * workloads queues here.
 */
import type { KubeResponse } from '../kube/client.js';
import { statusMessage } from '../kube/errors.js';
import type { Logger } from './log.js';
import { baselinePatch, type PatchWorkload } from './patches.js';
import type { WorkloadRecord } from './policy.js';

export const BASELINE_CONCURRENCY = 8;

export interface BaselineQueueOptions {
  patch: PatchWorkload;
  /** checked when a job starts: a process that lost the lease writes nothing */
  isLeading(): boolean;
  /** log what would be recorded; patch nothing */
  dryRun: boolean;
  log: Logger;
}

export class BaselineQueue {
  private readonly jobs: Array<() => Promise<void>> = [];
  private running = 0;

  constructor(private readonly o: BaselineQueueOptions) {}

  /** Records `hash` as the workload's baseline; `reason` goes to the log. */
  enqueue(key: string, w: WorkloadRecord, hash: string, reason: string): void {
    if (this.o.dryRun) {
      this.o.log.info('dry-run: would record baseline', { workload: key, hash: hash.slice(0, 12), reason });
      return;
    }
    // optimistic: decisions made before the patch's echo arrives compare against the new baseline,
    // so a change landing in between is rolled, not absorbed into the baseline
    w.recorded = hash;
    this.jobs.push(async () => {
      if (!this.o.isLeading()) return;
      const res = await this.o.patch(w, baselinePatch(w, hash)).catch((err: Error) => ({ status: 0, body: err.message, headers: {} }) as KubeResponse);
      if (res.status === 200) this.o.log.info('recorded baseline', { workload: key, hash: hash.slice(0, 12), reason });
      else if (res.status !== 404) this.o.log.warn('could not record baseline', { workload: key, status: res.status, error: statusMessage(res) });
    });
    this.drain();
  }

  private drain(): void {
    while (this.running < BASELINE_CONCURRENCY && this.jobs.length) {
      const job = this.jobs.shift()!;
      this.running++;
      job().finally(() => {
        this.running--;
        this.drain();
      });
    }
  }
}
