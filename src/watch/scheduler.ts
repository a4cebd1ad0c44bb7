/**
 * When rollouts run: per-workload debounce and minimum interval, then a
 * global token-bucket rate limit with a FIFO queue.
 */

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
