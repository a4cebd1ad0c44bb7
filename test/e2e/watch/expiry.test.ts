/**
 * On a private etcd + kube-apiserver started with --watch-cache=false, so
 * watches are served by etcd directly (test/e2e/watch/private.ts):
 * - a real 410 Gone: etcd history is compacted past the resourceVersion the
 *   watcher holds; its next watch is refused by the apiserver itself (no proxy
 *   in between); it relists, rolls nothing, and still rolls a later change once;
 * - the Argo Rollouts CRD installed after the watcher started: picked up by the
 *   periodic discovery check (--rollouts-discovery-interval), its Rollout
 *   baselined, then rolled once on a change (the shared bed may already have
 *   the CRD, so this is the place where it can be absent at the start).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN, KSEC_ANN } from '../../../src/watch/policy.js';
import { CANARY, TemplateWatch, ensureRolloutCrd, envFrom, eventually, rollout } from './helpers.js';
import { NS, asBed, startPrivateWatch, type PrivateWatch } from './private.js';

let p: PrivateWatch;

beforeAll(async () => {
  p = await startPrivateWatch(['--watch-cache=false'], ['--rollouts-discovery-interval', '2s']);
}, 180_000);

afterAll(async () => {
  await p?.stop();
}, 60_000);

describe('ksec watch: a real 410 and a late CRD (private apiserver, no watch cache)', () => {
  it('a 410 Gone sent by the apiserver itself (etcd compacted past the watch) relists, rolls nothing, and a later change rolls once', async () => {
    const { w, k, cp } = p;
    const before = { r: p.rev('r'), other: p.rev('other'), relists: await p.relists(), logs: w.logs.length, rolled: w.count('rolled') };
    // move etcd's revision past every resourceVersion the watcher holds (objects it does not watch), then drop the history
    for (let i = 0; i < 3; i++) await k.ok('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'bump-' } });
    await cp.compactEtcd(await cp.etcdRevision());
    const expired = await w.waitFor('watch expired, relisting', (l) => w.logs.indexOf(l) >= before.logs, 30_000);
    // the apiserver's own Status message (the fault proxy's injected 410s say other things)
    expect(expired.reason).toBe('The resourceVersion for the provided watch is too old.');
    await eventually(() => p.relists(), (n) => n > before.relists, 30_000, 'relists after the 410');
    expect(w.count('rolled')).toBe(before.rolled);
    expect({ r: p.rev('r'), other: p.rev('other') }).toEqual({ r: before.r, other: before.other });
    await p.proveOneRoll('after-real-410');
  });

  it('picks up the Argo Rollouts CRD installed after it started: baseline, then one rollout per change', async () => {
    const { w, k, cp } = p;
    expect(w.count('the Argo Rollouts API is not served (or discovery failed); not watching rollouts')).toBe(1);
    await ensureRolloutCrd((m, path, b) => cp.request(m, path, b));
    await k.ok('POST', `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`, rollout('ro', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('r1') }));
    const rtw = new TemplateWatch(asBed(cp), NS);
    await rtw.start(['rollouts']);
    try {
      await w.waitFor('the Argo Rollouts API is now served; watching rollouts', () => true, 30_000);
      await w.waitFor('recorded baseline', (l) => l.workload === `Rollout/${NS}/ro`, 30_000);
      expect(rtw.revision('rollouts', 'ro')).toBe(1);
      await p.proveOneRoll('after-crd');
      await eventually(async () => rtw.revision('rollouts', 'ro'), (n) => n === 2, 30_000, 'the Rollout rolled');
      const ro = await k.get(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts/ro`);
      expect(ro.spec.template.metadata.annotations[KSEC_ANN.stamp]).toMatch(/^[0-9a-f]{12,}$/);
      expect(w.count('rolled', (l) => l.workload === `Rollout/${NS}/ro`)).toBe(1);
    } finally {
      rtw.stop();
    }
    expect(w.raw).not.toContain(CANARY);
  });
});
