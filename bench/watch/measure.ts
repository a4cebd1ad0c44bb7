/**
 * What the watcher benchmarks measure, outside the process under test: memory and CPU from
 * /proc, rollouts from an independent watch on the apiserver, percentiles.
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Testbed } from '../../test/e2e/testbed/env.js';

/** Runs fn over items with at most `width` calls in flight. */
export async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

/** VmRSS and VmHWM of a process, in MiB (one decimal). */
export function rss(pid: number): { rssMB: number; hwmMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMB: Math.round(kb('VmRSS') / 102.4) / 10, hwmMB: Math.round(kb('VmHWM') / 102.4) / 10 };
}

/** CPU time (user + system) a process has used so far, in ms (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the parenthesised command name; utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface Rollout {
  name: string;
  at: number;
}

/**
 * An independent watch on a namespace's Deployments: pod-template changes (rollouts) with their
 * arrival time (performance.now()). metadata.generation is no measure: it also moves when only
 * annotations change. The first sight of each Deployment is not a rollout.
 */
export class RolloutWatch {
  readonly rollouts: Rollout[] = [];
  private req: ReturnType<typeof https.get> | undefined;

  constructor(private readonly bed: Testbed, private readonly ns: string) {}

  start(): void {
    this.req = https.get(new URL(`/apis/apps/v1/namespaces/${this.ns}/deployments?watch=1`, this.bed.apiserverUrl), {
      ca: this.bed.caPem,
      headers: { authorization: `Bearer ${this.bed.adminToken}` },
    }, (res) => {
      let tail = '';
      const seen = new Map<string, string>();
      res.on('data', (d: Buffer) => {
        const at = performance.now();
        const lines = (tail + d.toString('utf8')).split('\n');
        tail = lines.pop() ?? '';
        for (const l of lines) {
          if (!l.trim()) continue;
          const e = JSON.parse(l) as { type: string; object: { metadata: { name: string }; spec?: { template?: unknown } } };
          if (e.type === 'BOOKMARK' || e.type === 'ERROR') continue;
          const name = e.object.metadata.name;
          const template = JSON.stringify(e.object.spec?.template);
          const before = seen.get(name);
          seen.set(name, template);
          if (before !== undefined && before !== template) this.rollouts.push({ name, at });
        }
      });
    });
  }

  stop(): void {
    this.req?.destroy();
  }

  /** Rollouts since index `from`, excluding the named workloads. */
  since(from: number, exclude: string[] = []): Rollout[] {
    return this.rollouts.slice(from).filter((r) => !exclude.includes(r.name));
  }

  /** Resolves once no rollout has arrived for `quietMs` (or `maxMs` has passed). */
  async quiet(quietMs: number, maxMs: number): Promise<boolean> {
    const start = performance.now();
    for (;;) {
      const last = this.rollouts.at(-1)?.at ?? 0;
      const now = performance.now();
      if (now - Math.max(last, start) >= quietMs) return true;
      if (now - start >= maxMs) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
