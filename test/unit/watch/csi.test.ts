import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csiClassRefs, isPodStatusUpdate, podStatusRecord, spcPodStatusHash, SpcTracker, type PodStatusRecord } from '../../../src/watch/csi.js';
import { ANN, isManaged, reloaderEnvName, triggersOf, type ConfigRecord } from '../../../src/watch/policy.js';
import { containerUsing, NamespaceConfigs, workloadRecord } from '../../../src/watch/state.js';

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

describe("Reloader's SecretProviderClassPodStatus hash", () => {
  it('id=version per object and SecretProviderClassName=<name>, sorted bytewise, joined with ";", SHA-1', () => {
    const status = { secretProviderClassName: 'vault-db', objects: [{ id: 'secret/b', version: '2' }, { id: 'secret/a', version: '7' }] };
    expect(spcPodStatusHash(status)).toBe(sha1('SecretProviderClassName=vault-db;secret/a=7;secret/b=2'));
    expect(spcPodStatusHash({ secretProviderClassName: 'x' })).toBe(sha1('SecretProviderClassName=x'));
    // bytewise: 'Z' < '_' < 'a' < 'é'
    expect(spcPodStatusHash({ secretProviderClassName: 'c', objects: [{ id: 'é', version: '1' }, { id: '_', version: '' }, { id: 'Z' }] })).toBe(sha1('SecretProviderClassName=c;Z=;_=;é=1'));
  });

  it('reduces a pod status; one naming no class is dropped', () => {
    const r = podStatusRecord({ metadata: { name: 'p-ns-v', resourceVersion: '42' }, status: { secretProviderClassName: 'spc', objects: [{ id: 'a', version: '1' }] } });
    expect(r).toEqual({ spc: 'spc', hash: sha1('SecretProviderClassName=spc;a=1'), hasObjects: true, rv: 42 });
    expect(podStatusRecord({ metadata: { name: 'x' }, status: {} })).toBeUndefined();
  });

  it('only updates count for Reloader: a new hash, or an old status without objects', () => {
    const a: PodStatusRecord = { spc: 's', hash: 'h1', hasObjects: true, rv: 1 };
    expect(isPodStatusUpdate(a, { ...a, rv: 2 })).toBe(false);
    expect(isPodStatusUpdate(a, { ...a, hash: 'h2' })).toBe(true);
    expect(isPodStatusUpdate({ ...a, hasObjects: false }, { ...a, rv: 2 })).toBe(true);
    expect(isPodStatusUpdate(undefined, a)).toBe(false);
    expect(isPodStatusUpdate(a, undefined)).toBe(false);
  });
});

describe('SpcTracker: one current hash per SecretProviderClass', () => {
  const st = (spc: string, hash: string, rv: number): PodStatusRecord => ({ spc, hash, hasObjects: true, rv });

  it('the initial list takes the newest pod status; a new pod does not move it; an update rotates it', () => {
    const t = new SpcTracker();
    expect(t.onPodStatus('ns', 'ns/p1', undefined, st('db', 'old', 10), false)).toEqual([{ spc: 'db', change: 'recorded' }]);
    expect(t.onPodStatus('ns', 'ns/p2', undefined, st('db', 'new', 12), false)).toEqual([{ spc: 'db', change: 'recorded' }]);
    expect(t.onPodStatus('ns', 'ns/p3', undefined, st('db', 'older', 11), false)).toEqual([]);
    expect(t.record('ns', 'db')?.hash).toBe('new');
    // live: a scale-up mounting another version is not a rotation (Reloader ignores creations)
    expect(t.onPodStatus('ns', 'ns/p4', undefined, st('db', 'newer', 20), true)).toEqual([]);
    expect(t.record('ns', 'db')?.hash).toBe('new');
    // the driver rotates p1: that is Reloader's update
    expect(t.onPodStatus('ns', 'ns/p1', st('db', 'old', 10), st('db', 'newer', 21), true)).toEqual([{ spc: 'db', change: 'rotated' }]);
    expect(t.record('ns', 'db')).toEqual({ kind: 'SecretProviderClass', name: 'db', hash: 'newer', reloaderHash: 'newer', ignore: false, match: false });
    // the others catch up to the same versions: nothing new
    expect(t.onPodStatus('ns', 'ns/p2', st('db', 'new', 12), st('db', 'newer', 22), true)).toEqual([]);
  });

  it('deletions never rotate; the last one removes the class; annotations come from the class', () => {
    const t = new SpcTracker();
    t.onPodStatus('ns', 'ns/p1', undefined, st('db', 'h', 1), false);
    t.onPodStatus('ns', 'ns/p2', undefined, st('db', 'h', 2), false);
    t.setAnnotations('ns', 'db', { ignore: true, match: false });
    expect(t.record('ns', 'db')?.ignore).toBe(true);
    expect(t.onPodStatus('ns', 'ns/p1', st('db', 'h', 1), undefined, true)).toEqual([]);
    expect(t.onPodStatus('ns', 'ns/p2', st('db', 'h', 2), undefined, true)).toEqual([{ spc: 'db', change: 'recorded' }]);
    expect(t.record('ns', 'db')).toBeUndefined();
    expect(t.size).toBe(0);
  });
});

describe('SecretProviderClasses in the policy (--enable-csi-integration)', () => {
  const podSpec = {
    containers: [
      { name: 'sidecar', image: 'x' },
      { name: 'app', image: 'x', volumeMounts: [{ name: 'secrets', mountPath: '/mnt' }] },
    ],
    volumes: [
      { name: 'secrets', csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'vault-db' } } },
      { name: 'other', csi: { driver: 'x', volumeAttributes: { secretProviderClass: 'unmounted' } } },
      { name: 'cfg', configMap: { name: 'cfg' } },
    ],
  };
  const deployment = (annotations: Record<string, string>) =>
    workloadRecord('Deployment', { metadata: { name: 'web', namespace: 'ns', annotations }, spec: { template: { metadata: {}, spec: podSpec } } })!;
  const lookup = new NamespaceConfigs();
  const spc = (name: string, extra: Partial<ConfigRecord> = {}): ConfigRecord => ({ kind: 'SecretProviderClass', name, hash: `h-${name}`, reloaderHash: `h-${name}`, ignore: false, match: false, ...extra });
  lookup.set(spc('vault-db'));
  lookup.set(spc('unmounted', { match: true }));
  lookup.set(spc('elsewhere'));
  const names = (a: Record<string, string>, csi = true) => triggersOf(deployment(a), lookup, { autoReloadAll: false, csi }).configs.map((c) => c.name).sort();

  it('CSI volumes are references (any driver, as Reloader reads volumeAttributes.secretProviderClass)', () => {
    expect(csiClassRefs(podSpec)).toEqual(['SecretProviderClass/vault-db', 'SecretProviderClass/unmounted']);
    expect(deployment({}).refs).toContain('SecretProviderClass/vault-db');
    expect(containerUsing(podSpec, 'SecretProviderClass', 'vault-db')).toBe('app');
    expect(deployment({}).users).toEqual({ 'SecretProviderClass/vault-db': 'app' });
  });

  it("Reloader's annotations: typed auto, auto, reload (regex), search + match, exclude (metadata only), ignore", () => {
    expect(names({ [ANN.spcAuto]: 'true' })).toEqual(['unmounted', 'vault-db']);
    expect(names({ [ANN.auto]: 'true' })).toEqual(['unmounted', 'vault-db']);
    expect(names({ [ANN.configmapAuto]: 'true' })).toEqual([]);
    expect(names({ [ANN.spcReload]: 'else.*' })).toEqual(['elsewhere']);
    expect(names({ [ANN.search]: 'true' })).toEqual(['unmounted']);
    expect(names({ [ANN.auto]: 'true', [ANN.spcExclude]: 'vault-db' })).toEqual(['unmounted']);
    expect(names({ [ANN.auto]: 'true' }, false)).toEqual([]);
    const ignored = new NamespaceConfigs();
    ignored.set(spc('vault-db', { ignore: true }));
    expect(triggersOf(deployment({ [ANN.spcAuto]: 'true' }), ignored, { autoReloadAll: false, csi: true }).configs).toEqual([]);
  });

  it('managed only with the integration on; Reloader\'s variable name', () => {
    expect(isManaged(deployment({ [ANN.spcAuto]: 'true' }), { autoReloadAll: false, csi: true })).toBe(true);
    expect(isManaged(deployment({ [ANN.spcAuto]: 'true' }), { autoReloadAll: false })).toBe(false);
    expect(reloaderEnvName('SecretProviderClass', 'vault-db.prod')).toBe('STAKATER_VAULT_DB_PROD_SECRETPROVIDERCLASS');
  });
});
