/**
 * Reloader's deployment.reloader.stakater.com/pause-period: the rollout patch
 * pauses the Deployment and records when (paused-at annotation); after the
 * period it is resumed. The moment is read from the workload, so timers are
 * re-armed after a restart or a leadership change.
 */
import type { Logger } from './log.js';
import { parseDuration } from './duration.js';
import { STRATEGIC_MERGE, type Patch, type PatchWorkload } from './patches.js';
import { ANN, DEFAULT_KEYS, type AnnotationKeys, type WorkloadRecord } from './policy.js';

/** Resumes a Deployment paused by the pause-period annotation. */
export function resumePatch(keys: Pick<AnnotationKeys, 'pausedAt'> = DEFAULT_KEYS): Patch {
  return { contentType: STRATEGIC_MERGE, body: { spec: { paused: false }, metadata: { annotations: { [keys.pausedAt]: null } } } };
}

/** When a paused Deployment should be resumed (ms since epoch), or undefined when it is not paused by us. */
export function resumeAt(w: WorkloadRecord): number | undefined {
  if (w.kind !== 'Deployment' || !w.paused) return undefined;
  const at = w.annotations[ANN.pausedAt];
  const period = parseDuration(w.annotations[ANN.pausePeriod] ?? '');
  if (!at) return undefined;
  const start = Date.parse(at);
  if (!Number.isFinite(start)) return 0;
  return start + (period ?? 0);
}

export interface PauseResumerOptions {
  patch: PatchWorkload;
  /** the workload as currently cached, or undefined when it is gone */
  current(key: string): WorkloadRecord | undefined;
  isLeading(): boolean;
  dryRun: boolean;
  log: Logger;
  /** the paused-at key the patch removes (Reloader's --pause-deployment-time-annotation) */
  keys?: Pick<AnnotationKeys, 'pausedAt'>;
}

/** One timer per paused workload, firing at resumeAt(). */
export class PauseResumer {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly o: PauseResumerOptions) {}

  /** (Re)arms the workload's timer; none when it is not paused by us, when not leading, or in dry-run. */
  arm(key: string, w: WorkloadRecord): void {
    const at = resumeAt(w);
    this.cancel(key);
    if (at === undefined || !this.o.isLeading() || this.o.dryRun) return;
    const timer = setTimeout(async () => {
      this.timers.delete(key);
      const current = this.o.current(key);
      if (!current || resumeAt(current) === undefined || !this.o.isLeading()) return;
      const res = await this.o.patch(current, resumePatch(this.o.keys)).catch(() => undefined);
      if (res?.status === 200) this.o.log.info('resumed paused deployment', { workload: key });
      else this.o.log.warn('could not resume paused deployment', { workload: key, status: res?.status });
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.timers.set(key, timer);
  }

  cancel(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
