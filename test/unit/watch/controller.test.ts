import { describe, expect, it, vi } from 'vitest';
import { Watcher, type WatchOptions } from '../../../src/watch/controller.js';
import { createLogger } from '../../../src/watch/log.js';
import { ANN, KSEC_ANN, desiredHash } from '../../../src/watch/policy.js';
import { configRecord, workloadRecord } from '../../../src/watch/state.js';
import { podStatusRecord, spcPodStatusHash } from '../../../src/watch/csi.js';
import { FakeKube, json } from './fake-kube.js';

const CANARY = 'canary-3b7e1d';

const options: WatchOptions = {
  namespaces: ['ns'],
  namespacesToIgnore: [],
  resourcesToIgnore: [],
  ignoredWorkloadTypes: [],
  autoReloadAll: false,
  strategy: 'annotations',
  debounceMs: 0,
  minIntervalMs: 0,
  qps: 100,
  burst: 100,
  dryRun: false,
  events: true,
  leaderElect: false,
  leaseName: 'ksec-watch',
  identity: 'test',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  inactivityMs: 60_000,
  watchTimeoutSeconds: [300, 600],
};

function dep(name: string, annotations: Record<string, string>, cm: string) {
  return {
    metadata: { name, namespace: 'ns', resourceVersion: '1', annotations },
    spec: { template: { metadata: {}, spec: { containers: [{ name: 'app', envFrom: [{ configMapRef: { name: cm } }] }] } } },
  };
}

describe('Watcher full pass', () => {
  it('records baselines for first meetings, rolls only real changes, leaves current workloads alone', async () => {
    const cm = { metadata: { name: 'cfg', namespace: 'ns', resourceVersion: '1' }, data: { k: CANARY } };
    const current = desiredHash([configRecord('ConfigMap', cm, false)!], 'annotations');
    const lists: Record<string, unknown[]> = {
      '/api/v1/namespaces/ns/configmaps': [cm],
      '/api/v1/namespaces/ns/secrets': [],
      '/apis/apps/v1/namespaces/ns/deployments': [
        dep('up-to-date', { [ANN.auto]: 'true', [KSEC_ANN.recorded]: current }, 'cfg'),
        dep('new', { [ANN.auto]: 'true' }, 'cfg'),
        dep('changed-while-down', { [ANN.auto]: 'true', [KSEC_ANN.recorded]: 'old' }, 'cfg'),
        dep('unmanaged', {}, 'cfg'),
      ],
    };
    const kube = new FakeKube();
    const patches: Array<{ path: string; body: any }> = [];
    const events: any[] = [];
    kube.requests.push((method, path, body) => {
      const base = path.split('?')[0]!;
      if (method === 'GET' && path.includes('limit=')) return json(200, { metadata: { resourceVersion: '5' }, items: lists[base] ?? [] });
      if (method === 'PATCH') {
        patches.push({ path, body });
        return json(200, {});
      }
      if (method === 'POST' && path.endsWith('/events')) {
        events.push(body);
        return json(201, {});
      }
      return undefined;
    });
    const logs: string[] = [];
    const w = new Watcher(kube, options, createLogger('debug', (l) => logs.push(l)));
    const ac = new AbortController();
    const done = w.run(ac.signal);
    await vi.waitFor(() => expect(patches.length).toBe(2));
    await vi.waitFor(() => expect(events.length).toBe(1));
    ac.abort();
    await done;
    const byName = Object.fromEntries(patches.map((p) => [p.path.split('/').pop(), p.body]));
    expect(Object.keys(byName).sort()).toEqual(['changed-while-down', 'new']);
    expect(byName.new).toEqual({ metadata: { annotations: { [KSEC_ANN.recorded]: current } } });
    expect(byName['changed-while-down'].spec.template.metadata.annotations[KSEC_ANN.stamp]).toBe(current);
    expect(events[0]).toMatchObject({ reason: 'Reloaded', involvedObject: { kind: 'Deployment', name: 'changed-while-down' } });
    expect(w.metrics.render()).toContain('ksec_watch_reloads_total{kind="Deployment",namespace="ns",result="success"} 1');
    const all = logs.join('') + JSON.stringify(events) + w.metrics.render();
    expect(all).not.toContain(CANARY);
  });
});

describe('Watcher: a CRD that appears after the start (Argo Rollouts)', () => {
  it('re-checks discovery, then lists rollouts and treats them like a start: baseline new ones, roll real changes once', async () => {
    const cm = { metadata: { name: 'cfg', namespace: 'ns', resourceVersion: '1' }, data: { k: CANARY } };
    const current = desiredHash([configRecord('ConfigMap', cm, false)!], 'annotations');
    const rollout = (name: string, annotations: Record<string, string>) => ({ ...dep(name, annotations, 'cfg'), kind: 'Rollout' });
    let served = false;
    const lists: Record<string, unknown[]> = {
      '/api/v1/namespaces/ns/configmaps': [cm],
      '/api/v1/namespaces/ns/secrets': [],
      '/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts': [
        rollout('r-new', { [ANN.auto]: 'true' }),
        rollout('r-changed', { [ANN.auto]: 'true', [KSEC_ANN.recorded]: 'old' }),
        rollout('r-current', { [ANN.auto]: 'true', [KSEC_ANN.recorded]: current }),
      ],
    };
    const kube = new FakeKube();
    const patches: Array<{ path: string; body: any }> = [];
    kube.requests.push((method, path, body) => {
      const base = path.split('?')[0]!;
      if (method === 'GET' && base === '/apis/argoproj.io/v1alpha1') {
        return served ? json(200, { resources: [{ name: 'rollouts' }] }) : json(404, {});
      }
      if (method === 'GET' && path.includes('limit=')) return json(200, { metadata: { resourceVersion: '5' }, items: lists[base] ?? [] });
      if (method === 'PATCH') {
        patches.push({ path, body });
        return json(200, {});
      }
      if (method === 'POST') return json(201, {});
      return undefined;
    });
    const logs: string[] = [];
    const w = new Watcher(kube, { ...options, rolloutsDiscoveryMs: 20 }, createLogger('debug', (l) => logs.push(l)));
    const ac = new AbortController();
    const done = w.run(ac.signal);
    await vi.waitFor(() => expect(logs.join('')).toContain('caches synced'));
    await vi.waitFor(() => expect(kube.calls.filter((c) => c === 'GET /apis/argoproj.io/v1alpha1').length).toBeGreaterThanOrEqual(3));
    expect(kube.calls.some((c) => c.includes('/rollouts'))).toBe(false);
    served = true;
    await vi.waitFor(() => expect(patches.length).toBe(2));
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await done;
    const byName = Object.fromEntries(patches.map((p) => [p.path.split('?')[0]!.split('/').pop(), p.body]));
    expect(Object.keys(byName).sort()).toEqual(['r-changed', 'r-new']);
    expect(byName['r-new']).toEqual({ metadata: { annotations: { [KSEC_ANN.recorded]: current } } });
    expect(byName['r-changed'].spec.template.metadata.annotations[KSEC_ANN.stamp]).toBe(current);
    expect(logs.join('')).toContain('the Argo Rollouts API is now served');
    expect(logs.join('')).not.toContain(CANARY);
  });

  it('with the re-check off (0) never asks again', async () => {
    const kube = new FakeKube();
    kube.requests.push((method, path) => (method === 'GET' && path.includes('limit=') ? json(200, { metadata: { resourceVersion: '5' }, items: [] }) : undefined));
    const logs: string[] = [];
    const w = new Watcher(kube, { ...options, rolloutsDiscoveryMs: 0 }, createLogger('debug', (l) => logs.push(l)));
    const ac = new AbortController();
    const done = w.run(ac.signal);
    await vi.waitFor(() => expect(logs.join('')).toContain('caches synced'));
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await done;
    expect(kube.calls.filter((c) => c === 'GET /apis/argoproj.io/v1alpha1')).toHaveLength(1);
  });
});

describe('Watcher: an optional kind it may not list', () => {
  it('leaves Rollouts and Jobs out with a warning when a SelfSubjectAccessReview denies list, and still syncs', async () => {
    const kube = new FakeKube();
    const reviews: any[] = [];
    kube.requests.push((method, path, body) => {
      if (method === 'GET' && path.split('?')[0] === '/apis/argoproj.io/v1alpha1') return json(200, { resources: [{ name: 'rollouts' }] });
      if (method === 'POST' && path.endsWith('/selfsubjectaccessreviews')) {
        reviews.push(body);
        return json(201, { status: { allowed: false } });
      }
      if (method === 'GET' && path.includes('limit=')) return json(200, { metadata: { resourceVersion: '5' }, items: [] });
      return undefined;
    });
    const logs: string[] = [];
    const w = new Watcher(kube, options, createLogger('debug', (l) => logs.push(l)));
    const ac = new AbortController();
    const done = w.run(ac.signal);
    await vi.waitFor(() => expect(logs.join('')).toContain('caches synced'));
    ac.abort();
    await done;
    expect(kube.calls.some((c) => c.includes('/rollouts'))).toBe(false);
    expect(reviews.map((r) => r.spec.resourceAttributes)).toEqual([
      { group: 'batch', resource: 'jobs', verb: 'list', namespace: 'ns' },
      { group: 'argoproj.io', resource: 'rollouts', verb: 'list', namespace: 'ns' },
    ]);
    expect(kube.calls.some((c) => c.includes('/jobs'))).toBe(false);
    expect(logs.map((l) => JSON.parse(l).msg)).toContain('not allowed to list and watch rollouts; not watching them');
    expect(logs.map((l) => JSON.parse(l).msg)).toContain('not allowed to list and watch jobs; not watching them');
  });
});

describe("Watcher: Reloader's create, delete and ignore/match semantics", () => {
  const cfgV1 = { metadata: { name: 'cfg', namespace: 'ns', resourceVersion: '1' }, data: { k: 'v1' } };
  const later = { metadata: { name: 'later', namespace: 'ns', resourceVersion: '2' }, data: { k: 'x' } };
  const rec = (obj: any) => configRecord('ConfigMap', obj, false)!;

  /** A synced watcher over one auto Deployment using cfg and (not yet existing) later, recorded as current. */
  async function synced(extra: Partial<WatchOptions>) {
    const current = desiredHash([rec(cfgV1)], 'annotations');
    const web = {
      metadata: { name: 'web', namespace: 'ns', resourceVersion: '1', annotations: { [ANN.auto]: 'true', [KSEC_ANN.recorded]: current } },
      spec: { template: { metadata: {}, spec: { containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'cfg' } }, { configMapRef: { name: 'later' } }] }] } } },
    };
    const lists: Record<string, unknown[]> = {
      '/api/v1/namespaces/ns/configmaps': [cfgV1],
      '/api/v1/namespaces/ns/secrets': [],
      '/apis/apps/v1/namespaces/ns/deployments': [web],
    };
    const kube = new FakeKube();
    const patches: any[] = [];
    kube.requests.push((method, path, body) => {
      if (method === 'GET' && path.includes('limit=')) return json(200, { metadata: { resourceVersion: '5' }, items: lists[path.split('?')[0]!] ?? [] });
      if (method === 'PATCH') {
        patches.push(body);
        return json(200, {});
      }
      if (method === 'POST') return json(201, {});
      return undefined;
    });
    const logs: string[] = [];
    const w = new Watcher(kube, { ...options, events: false, ...extra }, createLogger('debug', (l) => logs.push(l)));
    const ac = new AbortController();
    const done = w.run(ac.signal);
    await vi.waitFor(() => expect(logs.join('')).toContain('full evaluation'));
    const onConfig = (e: any) => (w as any).onConfig('ConfigMap', e);
    const onWorkload = (e: any) => (w as any).onWorkload('Deployment', e);
    const stop = async () => {
      ac.abort();
      await done;
    };
    return { patches, onConfig, onWorkload, web, stop };
  }
  const rolled = (p: any) => p.spec?.template !== undefined;

  it('toggling reloader.stakater.com/ignore or match records the new state and rolls nothing', async () => {
    const t = await synced({});
    expect(t.patches).toEqual([]);
    const ignored = rec({ ...cfgV1, metadata: { ...cfgV1.metadata, resourceVersion: '3', annotations: { [ANN.ignore]: 'true' } } });
    t.onConfig({ type: 'MODIFIED', key: 'ns/cfg', previous: rec(cfgV1), current: ignored });
    await vi.waitFor(() => expect(t.patches).toHaveLength(1));
    t.onConfig({ type: 'MODIFIED', key: 'ns/cfg', previous: ignored, current: rec(cfgV1) });
    await vi.waitFor(() => expect(t.patches).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 50));
    await t.stop();
    expect(t.patches.filter(rolled)).toEqual([]);
  });

  it('--reload-on-create off (default): a created config is recorded, not rolled; on: it rolls', async () => {
    const off = await synced({});
    off.onConfig({ type: 'ADDED', key: 'ns/later', current: rec(later) });
    await vi.waitFor(() => expect(off.patches).toHaveLength(1));
    await off.stop();
    expect(off.patches.filter(rolled)).toEqual([]);
    const on = await synced({ reloadOnCreate: true });
    on.onConfig({ type: 'ADDED', key: 'ns/later', current: rec(later) });
    await vi.waitFor(() => expect(on.patches.filter(rolled)).toHaveLength(1));
    await on.stop();
  });

  it('--reload-on-delete off (default): a deleted config is recorded, not rolled; on: it rolls', async () => {
    const off = await synced({});
    off.onConfig({ type: 'DELETED', key: 'ns/cfg', previous: rec(cfgV1) });
    await vi.waitFor(() => expect(off.patches).toHaveLength(1));
    await off.stop();
    expect(off.patches.filter(rolled)).toEqual([]);
    const on = await synced({ reloadOnDelete: true });
    on.onConfig({ type: 'DELETED', key: 'ns/cfg', previous: rec(cfgV1) });
    await vi.waitFor(() => expect(on.patches.filter(rolled)).toHaveLength(1));
    await on.stop();
  });

  it('a watch event older than our roll (e.g. of the baseline written just before) does not roll a second time', async () => {
    const t = await synced({});
    t.onConfig({ type: 'MODIFIED', key: 'ns/cfg', previous: rec(cfgV1), current: rec({ ...cfgV1, data: { k: 'v2' } }) });
    await vi.waitFor(() => expect(t.patches.filter(rolled)).toHaveLength(1));
    // the record as it was before the roll (recorded: the old hash) arrives afterwards
    const stale = workloadRecord('Deployment', { ...t.web, metadata: { ...t.web.metadata, resourceVersion: '2' } } as any)!;
    t.onWorkload({ type: 'MODIFIED', key: 'ns/web', previous: stale, current: stale });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.patches.filter(rolled)).toHaveLength(1);
    // a real change after our roll is seen still rolls
    t.onConfig({ type: 'MODIFIED', key: 'ns/cfg', previous: rec({ ...cfgV1, data: { k: 'v2' } }), current: rec({ ...cfgV1, data: { k: 'v3' } }) });
    await vi.waitFor(() => expect(t.patches.filter(rolled)).toHaveLength(2));
    await t.stop();
  });

  it('a changed config still rolls', async () => {
    const t = await synced({});
    t.onConfig({ type: 'MODIFIED', key: 'ns/cfg', previous: rec(cfgV1), current: rec({ ...cfgV1, data: { k: 'v2' } }) });
    await vi.waitFor(() => expect(t.patches.filter(rolled)).toHaveLength(1));
    await t.stop();
  });
});

describe('Watcher: pause-period resumes only where it acts', () => {
  it('a paused Deployment in an ignored namespace is not resumed (another watcher paused it)', async () => {
    const paused = {
      metadata: { name: 'p', namespace: 'ns', resourceVersion: '1', annotations: { [ANN.auto]: 'true', [ANN.pausePeriod]: '1s', [ANN.pausedAt]: '2020-01-01T00:00:00Z' } },
      spec: { paused: true, template: { metadata: {}, spec: { containers: [{ name: 'app' }] } } },
    };
    for (const [ignored, want] of [[[], 1], [['ns'], 0]] as const) {
      const kube = new FakeKube();
      const patches: any[] = [];
      kube.requests.push((method, path, body) => {
        if (method === 'GET' && path.includes('limit=')) return json(200, { metadata: { resourceVersion: '5' }, items: path.includes('/deployments') ? [paused] : [] });
        if (method === 'PATCH') {
          patches.push(body);
          return json(200, {});
        }
        return undefined;
      });
      const logs: string[] = [];
      const w = new Watcher(kube, { ...options, namespacesToIgnore: [...ignored] }, createLogger('debug', (l) => logs.push(l)));
      const ac = new AbortController();
      const done = w.run(ac.signal);
      await vi.waitFor(() => expect(logs.join('')).toContain('full evaluation'));
      await new Promise((r) => setTimeout(r, 100));
      ac.abort();
      await done;
      expect(patches.filter((p) => p.spec?.paused === false), `namespacesToIgnore=${ignored.join()}`).toHaveLength(want);
    }
  });
});

describe('Watcher: --enable-csi-integration and Jobs', () => {
  const CSI = '/apis/secrets-store.csi.x-k8s.io/v1';
  const status = (pod: string, version: string, rv: string) => ({
    metadata: { name: `${pod}-ns-db`, namespace: 'ns', resourceVersion: rv },
    status: { podName: pod, secretProviderClassName: 'db', mounted: true, objects: [{ id: 'secret/pw', version }] },
  });
  const dbHash = (version: string) => spcPodStatusHash({ secretProviderClassName: 'db', objects: [{ id: 'secret/pw', version }] });
  const spcRec = (version: string) => ({ kind: 'SecretProviderClass' as const, name: 'db', hash: dbHash(version), reloaderHash: dbHash(version), ignore: false, match: false });

  async function start(extra: Partial<WatchOptions>, lists: Record<string, unknown[]>, served = true) {
    const kube = new FakeKube();
    const calls: { method: string; path: string; body: any }[] = [];
    kube.requests.push((method, path, body) => {
      const base = path.split('?')[0]!;
      if (method === 'GET' && base === CSI) return served ? json(200, { resources: [{ name: 'secretproviderclasspodstatuses' }, { name: 'secretproviderclasses' }] }) : json(404, {});
      if (method === 'POST' && path.endsWith('/selfsubjectaccessreviews')) return json(201, { status: { allowed: true } });
      if (method === 'GET' && path.includes('limit=')) return json(200, { metadata: { resourceVersion: '50' }, items: lists[base] ?? [] });
      calls.push({ method, path, body });
      if (method === 'GET') {
        const slash = base.lastIndexOf('/');
        const found = (lists[base.slice(0, slash)] ?? []).find((o: any) => o.metadata.name === base.slice(slash + 1));
        if (found) return json(200, found);
      }
      if (method === 'DELETE') return json(200, {});
      if (method === 'POST') return json(201, {});
      if (method === 'PATCH') return json(200, {});
      return undefined;
    });
    const logs: string[] = [];
    const w = new Watcher(kube, { ...options, events: false, ...extra }, createLogger('debug', (l) => logs.push(l)));
    const ac = new AbortController();
    const done = w.run(ac.signal);
    await vi.waitFor(() => expect(logs.join('')).toContain('full evaluation'));
    return { w, calls, logs, kube, stop: async () => (ac.abort(), await done) };
  }

  const web = (recorded: string) => ({
    metadata: { name: 'web', namespace: 'ns', resourceVersion: '1', annotations: { [ANN.spcAuto]: 'true', [KSEC_ANN.recorded]: recorded } },
    spec: { template: { metadata: {}, spec: { containers: [{ name: 'app', volumeMounts: [{ name: 's', mountPath: '/s' }] }], volumes: [{ name: 's', csi: { driver: 'secrets-store.csi.k8s.io', volumeAttributes: { secretProviderClass: 'db' } } }] } } },
  });
  const base = (recorded: string) => ({
    [`${CSI}/namespaces/ns/secretproviderclasspodstatuses`]: [status('pod-a', '1', '10'), status('pod-b', '2', '12')],
    [`${CSI}/namespaces/ns/secretproviderclasses`]: [{ metadata: { name: 'db', namespace: 'ns' } }],
    '/apis/apps/v1/namespaces/ns/deployments': [web(recorded)],
  });
  const rolls = (calls: { method: string; body: any }[]) => calls.filter((c) => c.method === 'PATCH' && c.body?.spec?.template);

  it('at start, the newest pod status is the class hash: a rotation made while stopped rolls once; a current workload is left alone', async () => {
    const stale = await start({ csi: true }, base(desiredHash([spcRec('1')], 'annotations')));
    await vi.waitFor(() => expect(rolls(stale.calls)).toHaveLength(1));
    await stale.stop();
    const current = await start({ csi: true }, base(desiredHash([spcRec('2')], 'annotations')));
    await new Promise((r) => setTimeout(r, 50));
    await current.stop();
    expect(current.calls.filter((c) => c.method === 'PATCH')).toEqual([]);
  });

  it('a live update with a new hash rolls; a new pod status and a deletion only record', async () => {
    const t = await start({ csi: true }, base(desiredHash([spcRec('2')], 'annotations')));
    const rec = (pod: string, version: string, rv: number) => podStatusRecord(status(pod, version, String(rv)))!;
    const on = (e: any) => (t.w as any).onPodStatus(e, true);
    on({ type: 'ADDED', key: 'ns/pod-c-ns-db', current: rec('pod-c', '3', 60) });
    on({ type: 'DELETED', key: 'ns/pod-a-ns-db', previous: rec('pod-a', '1', 10) });
    await new Promise((r) => setTimeout(r, 50));
    expect(rolls(t.calls)).toEqual([]);
    on({ type: 'MODIFIED', key: 'ns/pod-b-ns-db', previous: rec('pod-b', '2', 12), current: rec('pod-b', '3', 61) });
    await vi.waitFor(() => expect(rolls(t.calls)).toHaveLength(1));
    expect(rolls(t.calls)[0]!.body.spec.template.metadata.annotations[KSEC_ANN.stamp]).toBe(desiredHash([spcRec('3')], 'annotations'));
    await t.stop();
  });

  it('without the integration, or without the CSI API, no CSI resource is listed', async () => {
    for (const [extra, served] of [[{}, true], [{ csi: true }, false]] as const) {
      const t = await start(extra, base('x'), served);
      await t.stop();
      expect(t.kube.calls.some((c) => c.includes('secretproviderclass'))).toBe(false);
    }
  });

  it('a CronJob gets a Job created from it and its hash recorded; a Job is deleted and created again', async () => {
    const tpl = { metadata: {}, spec: { containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'cfg' } }] }] } };
    const cm = { metadata: { name: 'cfg', namespace: 'ns', resourceVersion: '1' }, data: { k: 'v1' } };
    const lists = {
      '/api/v1/namespaces/ns/configmaps': [cm],
      '/apis/batch/v1/namespaces/ns/cronjobs': [{ metadata: { name: 'cj', namespace: 'ns', uid: 'cj-uid', resourceVersion: '1', annotations: { [ANN.auto]: 'true', [KSEC_ANN.recorded]: 'old' } }, spec: { schedule: '@daily', jobTemplate: { spec: { template: tpl } } } }],
      '/apis/batch/v1/namespaces/ns/jobs': [{ metadata: { name: 'job', namespace: 'ns', uid: 'job-uid', resourceVersion: '1', annotations: { [KSEC_ANN.recorded]: 'old' } }, spec: { selector: {}, template: { ...tpl, metadata: { annotations: { [ANN.auto]: 'true' } } } } }],
    };
    const t = await start({}, lists);
    const hash = desiredHash([configRecord('ConfigMap', cm, false)!], 'annotations');
    await vi.waitFor(() => expect(t.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/jobs'))).toHaveLength(2));
    await vi.waitFor(() => expect(t.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    await t.stop();
    const posted = t.calls.filter((c) => c.method === 'POST').map((c) => c.body);
    const fromCron = posted.find((j) => j.metadata.generateName === 'cj-');
    expect(fromCron.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true });
    expect(fromCron.spec.template.metadata.annotations[KSEC_ANN.stamp]).toBe(hash);
    const again = posted.find((j) => j.metadata.name === 'job');
    expect(again.metadata.annotations[KSEC_ANN.recorded]).toBe(hash);
    expect(again.spec.selector).toBeUndefined();
    const del = t.calls.find((c) => c.method === 'DELETE')!;
    expect(del.path).toBe('/apis/batch/v1/namespaces/ns/jobs/job');
    expect(del.body).toMatchObject({ propagationPolicy: 'Background', preconditions: { uid: 'job-uid' } });
    // the CronJob: only its metadata, never its template
    const patch = t.calls.find((c) => c.method === 'PATCH')!;
    expect(patch.path).toBe('/apis/batch/v1/namespaces/ns/cronjobs/cj');
    expect(patch.body).toEqual({ metadata: { annotations: { [KSEC_ANN.recorded]: hash } } });
  });
});
