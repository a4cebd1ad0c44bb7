/**
 * How a rollout is written (pure patch builders) and when (the scheduler:
 * per-workload debounce and minimum interval, then a global token-bucket
 * rate limit with a FIFO queue).
 *
 * The default strategy stamps the pod template with the hash of what the
 * workload references: idempotent, so a repeated patch (a restart, a leader
 * change, two watchers racing) changes nothing and rolls nothing. The
 * env-vars strategy sets Reloader's STAKATER_<NAME>_<TYPE> variables.
 */
import { ANN, KSEC_ANN, type Decision, type WorkloadRecord } from './policy.js';

export const STRATEGIC_MERGE = 'application/strategic-merge-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';

export interface Patch {
  contentType: string;
  body: Record<string, unknown>;
}

/** Path of the pod template inside each workload kind. */
export const TEMPLATE_PATH: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'],
};

function nest(path: string[], leaf: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf);
}

/** Custom resources (Argo Rollouts) do not accept strategic merge patches. */
function contentTypeFor(kind: string): string {
  return kind === 'Rollout' ? MERGE_PATCH : STRATEGIC_MERGE;
}

/** Records the hash on the workload metadata: no rollout. */
export function baselinePatch(w: WorkloadRecord, hash: string): Patch {
  return { contentType: contentTypeFor(w.kind), body: { metadata: { annotations: { [KSEC_ANN.recorded]: hash } } } };
}

export function parseDuration(text: string): number | undefined {
  // Go's time.ParseDuration subset: 1h30m, 5m, 90s, 500ms
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.trim().matchAll(re)) {
    matched += m[0].length;
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  return matched > 0 && matched === text.trim().length ? total : undefined;
}

/** The rollout patch for a decision to roll. */
export function rollPatch(w: WorkloadRecord, d: Extract<Decision, { action: 'roll' }>, strategy: 'annotations' | 'env-vars', now: Date): Patch {
  const path = TEMPLATE_PATH[w.kind] ?? ['spec', 'template'];
  const metaAnnotations: Record<string, string | null> = { [KSEC_ANN.recorded]: d.hash };
  const body: Record<string, unknown> = { metadata: { annotations: metaAnnotations } };
  const useEnv = strategy === 'env-vars' && w.kind !== 'Rollout' && d.env && Object.keys(d.env).length > 0 && w.firstContainer;
  let template: Record<string, unknown>;
  if (useEnv) {
    // strategic merge: containers and env merge by name
    template = {
      spec: { containers: [{ name: w.firstContainer, env: Object.entries(d.env!).map(([name, value]) => ({ name, value })) }] },
    };
  } else {
    template = { metadata: { annotations: { [KSEC_ANN.stamp]: d.hash } } };
  }
  Object.assign(body, nest(path, template));
  const pause = w.kind === 'Deployment' ? w.annotations[ANN.pausePeriod] : undefined;
  if (pause && parseDuration(pause) !== undefined && !w.paused) {
    (body.spec as Record<string, unknown>).paused = true;
    metaAnnotations[ANN.pausedAt] = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return { contentType: contentTypeFor(w.kind), body };
}

/** Resumes a Deployment paused by the pause-period annotation. */
export function resumePatch(): Patch {
  return { contentType: STRATEGIC_MERGE, body: { spec: { paused: false }, metadata: { annotations: { [ANN.pausedAt]: null } } } };
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

// ---------------------------------------------------------------------------
// Scheduling.

export type RunResult = 'rolled' | 'skipped' | 'failed';

export interface SchedulerOptions {
  /** changes to one workload within this window become one rollout */
  debounceMs: number;
  /** at least this long between two rollouts of one workload */
  minIntervalMs: number;
  /** global patch rate (per second) and burst */
  qps: number;
  burst: number;
  run(key: string): Promise<RunResult>;
  onQueueDepth?(depth: number): void;
  now?: () => number;
}

/**
 * Per key: the first change opens a window of `debounceMs` (later changes
 * join it, they do not extend it, so latency stays bounded); the key becomes
 * ready at max(window end, last run + minIntervalMs). Ready keys wait in a
 * FIFO queue for a token of the global bucket. A change that arrives while
 * the key runs schedules it again afterwards.
 */
export class Scheduler {
  private readonly o: SchedulerOptions;
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly lastRun = new Map<string, number>();
  private tokens: number;
  private refilledAt: number;
  private pumpTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: SchedulerOptions) {
    this.o = options;
    this.tokens = options.burst;
    this.refilledAt = this.now();
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  get depth(): number {
    return this.queue.length + this.waiting.size;
  }

  /** Asks for `key` to be evaluated (and rolled if needed) soon. */
  schedule(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key) || this.queued.has(key)) return;
    const now = this.now();
    const last = this.lastRun.get(key);
    const due = Math.max(now + this.o.debounceMs, last === undefined ? 0 : last + this.o.minIntervalMs);
    if (due <= now) {
      this.enqueue(key);
      return;
    }
    this.waiting.set(
      key,
      setTimeout(() => {
        this.waiting.delete(key);
        this.enqueue(key);
      }, due - now),
    );
    this.report();
  }

  /** Drops everything pending (leadership lost, shutdown). */
  clear(): void {
    for (const t of this.waiting.values()) clearTimeout(t);
    this.waiting.clear();
    this.queue.length = 0;
    this.queued.clear();
    this.dirty.clear();
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.report();
  }

  /** Forgets a deleted workload's history (min-interval bookkeeping). */
  forget(key: string): void {
    this.lastRun.delete(key);
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  resume(): void {
    this.stopped = false;
  }

  private enqueue(key: string): void {
    if (this.stopped || this.queued.has(key)) return;
    this.queue.push(key);
    this.queued.add(key);
    this.pump();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.o.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.o.qps);
    this.refilledAt = now;
  }

  private pump(): void {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.start(key);
    }
    if (this.queue.length > 0 && !this.pumpTimer) {
      const wait = Math.ceil(((1 - this.tokens) / this.o.qps) * 1000);
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, Math.max(1, wait));
    }
    this.report();
  }

  private start(key: string): void {
    this.running.add(key);
    const finish = (result: RunResult) => {
      this.running.delete(key);
      if (result === 'rolled') this.lastRun.set(key, this.now());
      if (this.dirty.delete(key)) this.schedule(key);
      this.report();
    };
    this.o.run(key).then(finish, () => finish('failed'));
  }

  private report(): void {
    this.o.onQueueDepth?.(this.depth);
  }
}
