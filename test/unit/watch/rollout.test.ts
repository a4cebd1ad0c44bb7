import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDuration } from '../../../src/watch/duration.js';
import { baselinePatch, rollPatch } from '../../../src/watch/patches.js';
import { resumeAt, resumePatch } from '../../../src/watch/pause.js';
import { Scheduler, type RunResult } from '../../../src/watch/scheduler.js';
import { ANN, KSEC_ANN, type WorkloadRecord } from '../../../src/watch/policy.js';

function wl(kind: string, extra: Partial<WorkloadRecord> = {}): WorkloadRecord {
  return { kind, namespace: 'app', name: 'web', annotations: {}, podAnnotations: {}, refs: [], env: {}, paused: false, firstContainer: 'main', ...extra };
}

describe('patches', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');
  it('annotations strategy stamps the pod template and records on the metadata (strategic merge)', () => {
    const p = rollPatch(wl('Deployment'), { action: 'roll', hash: 'H' }, 'annotations', now);
    expect(p.contentType).toBe('application/strategic-merge-patch+json');
    expect(p.body).toEqual({
      metadata: { annotations: { [KSEC_ANN.recorded]: 'H' } },
      spec: { template: { metadata: { annotations: { [KSEC_ANN.stamp]: 'H' } } } },
    });
  });
  it('CronJobs are stamped on the jobTemplate; Argo Rollouts get a merge patch', () => {
    const c = rollPatch(wl('CronJob'), { action: 'roll', hash: 'H' }, 'annotations', now);
    expect(c.body).toMatchObject({ spec: { jobTemplate: { spec: { template: { metadata: { annotations: { [KSEC_ANN.stamp]: 'H' } } } } } } });
    expect(rollPatch(wl('Rollout'), { action: 'roll', hash: 'H' }, 'annotations', now).contentType).toBe('application/merge-patch+json');
  });
  it('env-vars strategy sets the STAKATER variables on the container by name', () => {
    const p = rollPatch(wl('StatefulSet'), { action: 'roll', hash: 'H', env: { STAKATER_A_CONFIGMAP: 'sha' } }, 'env-vars', now);
    expect(p.body).toMatchObject({ spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'STAKATER_A_CONFIGMAP', value: 'sha' }] }] } } } });
  });
  it('env-vars strategy puts each variable on the container the decision names, the rest on the first', () => {
    const d = { action: 'roll' as const, hash: 'H', env: { STAKATER_A_CONFIGMAP: 'a', STAKATER_B_SECRET: 'b', STAKATER_C_CONFIGMAP: 'c' }, envContainers: { STAKATER_A_CONFIGMAP: 'side', STAKATER_B_SECRET: 'main' } };
    const p = rollPatch(wl('Deployment'), d, 'env-vars', now);
    expect((p.body as any).spec.template.spec.containers).toEqual([
      { name: 'side', env: [{ name: 'STAKATER_A_CONFIGMAP', value: 'a' }] },
      { name: 'main', env: [{ name: 'STAKATER_B_SECRET', value: 'b' }, { name: 'STAKATER_C_CONFIGMAP', value: 'c' }] },
    ]);
  });
  it('an Argo Rollout with reloader.stakater.com/rollout-strategy: restart gets spec.restartAt, no template change', () => {
    const w = wl('Rollout', { annotations: { [ANN.rolloutStrategy]: 'restart' } });
    const p = rollPatch(w, { action: 'roll', hash: 'H' }, 'env-vars', now);
    expect(p).toEqual({ contentType: 'application/merge-patch+json', body: { metadata: { annotations: { [KSEC_ANN.recorded]: 'H' } }, spec: { restartAt: '2026-01-02T03:04:05Z' } } });
    // any other value: the template, as Reloader's ToArgoRolloutStrategy defaults to "rollout"
    expect((rollPatch(wl('Rollout', { annotations: { [ANN.rolloutStrategy]: 'rollout' } }), { action: 'roll', hash: 'H' }, 'annotations', now).body as any).spec.template).toBeDefined();
  });
  it('the paused-at key follows --pause-deployment-time-annotation', () => {
    const w = wl('Deployment', { annotations: { [ANN.pausePeriod]: '5m' } });
    const p = rollPatch(w, { action: 'roll', hash: 'H' }, 'annotations', now, { pausedAt: 'example.com/paused-at' });
    expect((p.body as any).metadata.annotations).toEqual({ [KSEC_ANN.recorded]: 'H', 'example.com/paused-at': '2026-01-02T03:04:05Z' });
    expect(resumePatch({ pausedAt: 'example.com/paused-at' }).body).toEqual({ spec: { paused: false }, metadata: { annotations: { 'example.com/paused-at': null } } });
  });
  it('pause-period pauses the Deployment in the same patch; resumeAt reads it back', () => {
    const w = wl('Deployment', { annotations: { [ANN.pausePeriod]: '5m' } });
    const p = rollPatch(w, { action: 'roll', hash: 'H' }, 'annotations', now);
    expect(p.body).toMatchObject({ spec: { paused: true }, metadata: { annotations: { [ANN.pausedAt]: '2026-01-02T03:04:05Z' } } });
    const paused = wl('Deployment', { paused: true, annotations: { [ANN.pausePeriod]: '5m', [ANN.pausedAt]: '2026-01-02T03:04:05Z' } });
    expect(resumeAt(paused)).toBe(Date.parse('2026-01-02T03:09:05Z'));
    expect(resumeAt(wl('Deployment', { paused: true }))).toBeUndefined();
  });
  it('baseline touches only metadata', () => {
    expect(baselinePatch(wl('DaemonSet'), 'H').body).toEqual({ metadata: { annotations: { [KSEC_ANN.recorded]: 'H' } } });
  });
  it('parseDuration reads Go durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2s')).toBe(2000);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

describe('Scheduler', () => {
  let runs: string[];
  let results: Record<string, RunResult>;
  beforeEach(() => {
    vi.useFakeTimers();
    runs = [];
    results = {};
  });
  afterEach(() => vi.useRealTimers());

  const make = (o: Partial<ConstructorParameters<typeof Scheduler>[0]> = {}) =>
    new Scheduler({
      debounceMs: 1000,
      minIntervalMs: 0,
      qps: 100,
      burst: 100,
      run: async (k) => {
        runs.push(k);
        return results[k] ?? 'rolled';
      },
      ...o,
    });

  it('debounce: several changes inside the window become one run', async () => {
    const s = make();
    s.schedule('w');
    await vi.advanceTimersByTimeAsync(400);
    s.schedule('w');
    await vi.advanceTimersByTimeAsync(400);
    s.schedule('w');
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(runs).toEqual(['w']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toEqual(['w']);
  });

  it('debounce 0 runs at once', async () => {
    const s = make({ debounceMs: 0 });
    s.schedule('w');
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(['w']);
  });

  it('min-interval spaces two rollouts of one workload', async () => {
    const s = make({ debounceMs: 0, minIntervalMs: 60_000 });
    s.schedule('w');
    await vi.advanceTimersByTimeAsync(0);
    s.schedule('w');
    await vi.advanceTimersByTimeAsync(59_000);
    expect(runs).toEqual(['w']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual(['w', 'w']);
  });

  it('the global rate limit queues the excess in order', async () => {
    const depths: number[] = [];
    const s = make({ debounceMs: 0, qps: 2, burst: 2, onQueueDepth: (d) => depths.push(d) });
    for (const k of ['a', 'b', 'c', 'd', 'e']) s.schedule(k);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(['a', 'b']);
    expect(s.depth).toBe(3);
    await vi.advanceTimersByTimeAsync(500);
    expect(runs).toEqual(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(Math.max(...depths)).toBe(3);
  });

  it('a change while running schedules one more run afterwards', async () => {
    let release!: () => void;
    const s = new Scheduler({
      debounceMs: 0,
      minIntervalMs: 0,
      qps: 100,
      burst: 100,
      run: (k) => {
        runs.push(k);
        return runs.length === 1 ? new Promise<RunResult>((r) => (release = () => r('rolled'))) : Promise.resolve('rolled');
      },
    });
    s.schedule('w');
    await vi.advanceTimersByTimeAsync(0);
    s.schedule('w');
    s.schedule('w');
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(['w', 'w']);
  });

  it('clear() drops pending work (leadership lost)', async () => {
    const s = make();
    s.schedule('w');
    s.clear();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toEqual([]);
  });
});

describe('env-vars with --reload-on-delete (Reloader removes the variable)', () => {
  it('a deleted config whose variable the workload has becomes a roll removing it, on its container', async () => {
    const { withDeletions } = await import('../../../src/watch/policy.js');
    const w = wl('Deployment', { env: { STAKATER_GONE_CONFIGMAP: 'h', STAKATER_KEPT_SECRET: 'k' }, envContainers: { STAKATER_GONE_CONFIGMAP: 'side', STAKATER_KEPT_SECRET: 'main' } });
    const d = withDeletions({ action: 'baseline', hash: 'H' }, w, ['ConfigMap/gone deleted']);
    expect(d).toEqual({ action: 'roll', hash: 'H', env: {}, removeEnv: ['STAKATER_GONE_CONFIGMAP'] });
    const p = rollPatch(w, d as Extract<typeof d, { action: 'roll' }>, 'env-vars', new Date());
    expect((p.body as any).spec.template.spec.containers).toEqual([{ name: 'side', env: [{ name: 'STAKATER_GONE_CONFIGMAP', $patch: 'delete' }] }]);
    // no variable (the config never changed under Reloader): nothing to remove, the decision stands
    expect(withDeletions({ action: 'baseline', hash: 'H' }, w, ['Secret/other deleted'])).toEqual({ action: 'baseline', hash: 'H' });
    expect(withDeletions({ action: 'baseline', hash: 'H' }, w, ['ConfigMap/gone'])).toEqual({ action: 'baseline', hash: 'H' });
  });
});
