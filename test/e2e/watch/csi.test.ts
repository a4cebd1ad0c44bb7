/**
 * --enable-csi-integration: ksec and the real stakater Reloader v1.4.14 side by side, each in its
 * own namespace with the same SecretProviderClasses, pod statuses and Deployments, react to the
 * same SecretProviderClassPodStatus changes the same way: after every step the same Deployments
 * have rolled, and the STAKATER_<NAME>_SECRETPROVIDERCLASS variables are identical (name, value,
 * container) and equal to Reloader's hash as csi.ts computes it.
 *
 * Reloader checks for the CSI API once, when it starts: the CRDs are applied first.
 * One Reloader at a time (it always binds :9090).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spcPodStatusHash } from '../../../src/watch/csi.js';
import { ANN, KSEC_ANN } from '../../../src/watch/policy.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { createPodStatus, createSpc, CSI_API, installCsiCrds, rotate, type CsiObjects } from './csi.js';
import { eventually, kube, TemplateWatch, WatcherProcess } from './helpers.js';
import { createProbe, ReloaderProcess, reloaderReady } from './reloader.js';

let bed: Testbed;
let k: ReturnType<typeof kube>;
let reloader: ReloaderProcess | undefined;
let ksec: WatcherProcess | undefined;
const sides: { ns: string; tw: TemplateWatch }[] = [];

const csiVolume = (name: string, spc: string) => ({ name, csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: spc } } });
const mount = (name: string) => ({ name, mountPath: `/mnt/${name}`, readOnly: true });

/** name → [metadata annotations, pod spec] */
const WORKLOADS: Record<string, [Record<string, string>, Record<string, unknown>]> = {
  'typed-auto': [{ [ANN.spcAuto]: 'true' }, { containers: [{ name: 'app', volumeMounts: [mount('db')] }], volumes: [csiVolume('db', 'db')] }],
  auto: [{ [ANN.auto]: 'true' }, { containers: [{ name: 'app', volumeMounts: [mount('db')] }], volumes: [csiVolume('db', 'db')] }],
  named: [{ [ANN.spcReload]: 'db' }, { containers: [{ name: 'first' }, { name: 'second' }] }],
  'two-containers': [{ [ANN.auto]: 'true' }, { containers: [{ name: 'app' }, { name: 'side', volumeMounts: [mount('db')] }], volumes: [csiVolume('db', 'db')] }],
  excluded: [{ [ANN.auto]: 'true', [ANN.spcExclude]: 'db' }, { containers: [{ name: 'app', volumeMounts: [mount('db')] }], volumes: [csiVolume('db', 'db')] }],
  'uses-ignored': [{ [ANN.auto]: 'true' }, { containers: [{ name: 'app', volumeMounts: [mount('ign')] }], volumes: [csiVolume('ign', 'ignored')] }],
  search: [{ [ANN.search]: 'true' }, { containers: [{ name: 'app', volumeMounts: [mount('m'), mount('db')] }], volumes: [csiVolume('m', 'matched'), csiVolume('db', 'db')] }],
  'configmap-auto': [{ [ANN.configmapAuto]: 'true' }, { containers: [{ name: 'app', volumeMounts: [mount('db')] }], volumes: [csiVolume('db', 'db')] }],
  plain: [{}, { containers: [{ name: 'app', volumeMounts: [mount('db')] }], volumes: [csiVolume('db', 'db')] }],
};
const NAMES = Object.keys(WORKLOADS);

const v = (n: number, extra: CsiObjects = []): CsiObjects => [{ id: 'secret/db-password', version: String(n) }, { id: 'secret/db-user', version: '1' }, ...extra];

async function setUp(ns: string): Promise<void> {
  await createSpc(bed, ns, 'db');
  await createSpc(bed, ns, 'ignored', { 'reloader.stakater.com/ignore': 'true' });
  await createSpc(bed, ns, 'matched', { 'reloader.stakater.com/match': 'true' });
  await createPodStatus(bed, ns, 'pod-a', 'db', v(1));
  await createPodStatus(bed, ns, 'pod-b', 'db', v(1));
  await createPodStatus(bed, ns, 'pod-a', 'ignored', v(1));
  await createPodStatus(bed, ns, 'pod-a', 'matched', v(1));
  for (const [name, [annotations, spec]] of Object.entries(WORKLOADS)) {
    const containers = (spec.containers as Record<string, unknown>[]).map((c) => ({ image: 'registry.invalid/app:1', ...c }));
    await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name, annotations },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { ...spec, containers } } },
    });
  }
}

/** STAKATER_* variables per Deployment and container. */
async function variables(ns: string): Promise<Record<string, Record<string, Record<string, string>>>> {
  const out: Record<string, Record<string, Record<string, string>>> = {};
  for (const name of NAMES) {
    const d = await k.get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
    for (const c of d.spec.template.spec.containers as { name: string; env?: { name: string; value: string }[] }[]) {
      const vars = (c.env ?? []).filter((e) => e.name.startsWith('STAKATER_'));
      if (vars.length) (out[name] ??= {})[c.name] = Object.fromEntries(vars.map((e) => [e.name, e.value]));
    }
  }
  return out;
}

beforeAll(async () => {
  bed = testbed();
  k = kube(bed);
  await installCsiCrds(bed);
  for (const prefix of ['watch-csi-r', 'watch-csi-k']) {
    const ns = await k.namespace(prefix);
    await setUp(ns);
    const tw = new TemplateWatch(bed, ns);
    await tw.start(['deployments']);
    sides.push({ ns, tw });
  }
  const [r, kk] = sides;
  await createProbe(bed, r!.ns);
  reloader = await ReloaderProcess.start(bed, r!.ns, ['--enable-csi-integration=true']);
  await reloaderReady(bed, r!.ns, reloader);
  ksec = new WatcherProcess(['--enable-csi-integration=true', '--reload-strategy=env-vars', '--debounce=0s'], { KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: kk!.ns });
  await ksec.waitFor('full evaluation', undefined, 60_000);
}, 900_000);

afterAll(async () => {
  await ksec?.stop();
  await reloader?.stop();
  for (const s of sides) {
    s.tw.stop();
    await k.deleteNamespace(s.ns);
  }
});

describe('SecretProviderClassPodStatus changes: ksec and Reloader roll the same Deployments, with the same variables', () => {
  it('Reloader started its SecretProviderClassPodStatus controller; ksec watched them and met every workload without a roll', async () => {
    expect(reloader!.raw).toContain('secretproviderclasspodstatuses');
    expect(reloader!.raw).not.toContain('CSI CRDs not installed');
    expect(ksec!.raw).not.toContain('not watching SecretProviderClassPodStatuses');
    const [, kk] = sides;
    for (const name of NAMES) expect(kk!.tw.revision('deployments', name)).toBe(1);
  });

  const expected: Record<string, number> = Object.fromEntries(NAMES.map((n) => [n, 1]));
  const steps: { label: string; act: (ns: string) => Promise<void>; rolls: string[] }[] = [
    { label: 'pod-a rotates db (password v2)', act: (ns) => rotate(bed, ns, `pod-a-${ns}-db`, v(2)), rolls: ['typed-auto', 'auto', 'named', 'two-containers'] },
    { label: 'pod-b catches up to v2 (same hash)', act: (ns) => rotate(bed, ns, `pod-b-${ns}-db`, v(2)), rolls: [] },
    { label: 'the ignored class rotates', act: (ns) => rotate(bed, ns, `pod-a-${ns}-ignored`, v(2)), rolls: [] },
    { label: 'the matched class rotates', act: (ns) => rotate(bed, ns, `pod-a-${ns}-matched`, v(2)), rolls: ['search'] },
    { label: 'a new pod mounts db at v3 (creation)', act: async (ns) => void (await createPodStatus(bed, ns, 'pod-c', 'db', v(3))), rolls: [] },
    { label: 'pod-a is gone (deletion)', act: async (ns) => void (await bed.request('DELETE', `${CSI_API}/namespaces/${ns}/secretproviderclasspodstatuses/pod-a-${ns}-db`)), rolls: [] },
    { label: 'pod-b rotates db to v3 and a new object', act: (ns) => rotate(bed, ns, `pod-b-${ns}-db`, v(3, [{ id: 'secret/db-ca', version: '7' }])), rolls: ['typed-auto', 'auto', 'named', 'two-containers'] },
  ];

  it.each(steps.map((s, i) => ({ ...s, i: i + 1 })))('step $i: $label', async ({ label, act, rolls }) => {
    const [r, kk] = sides;
    await act(r!.ns);
    await act(kk!.ns);
    for (const n of rolls) expected[n]! += 1;
    const both = async () => [r!.tw.deployments(NAMES), kk!.tw.deployments(NAMES)];
    await eventually(both, ([a, b]) => rolls.every((n) => a![n] === expected[n] && b![n] === expected[n]), 30_000, label).catch(() => undefined);
    await new Promise((res) => setTimeout(res, 2_000)); // anything more would show now
    const [a, b] = await both();
    expect({ step: label, reloader: a, ksec: b }).toEqual({ step: label, reloader: expected, ksec: expected });
    const [varsR, varsK] = [await variables(r!.ns), await variables(kk!.ns)];
    expect(varsK).toEqual(varsR);
  }, 60_000);

  it("the variables hold Reloader's hash of the pod status that changed last, on the container mounting the class (else the first)", async () => {
    const [r] = sides;
    const hash = spcPodStatusHash({ secretProviderClassName: 'db', objects: v(3, [{ id: 'secret/db-ca', version: '7' }]) });
    const vars = await variables(r!.ns);
    expect(vars['typed-auto']).toEqual({ app: { STAKATER_DB_SECRETPROVIDERCLASS: hash } });
    expect(vars['two-containers']).toEqual({ side: { STAKATER_DB_SECRETPROVIDERCLASS: hash } });
    expect(vars.named).toEqual({ first: { STAKATER_DB_SECRETPROVIDERCLASS: hash } });
    expect(vars.search).toEqual({ app: { STAKATER_MATCHED_SECRETPROVIDERCLASS: spcPodStatusHash({ secretProviderClassName: 'matched', objects: v(2) }) } });
    // ksec kept its own state on the metadata only
    const [, kk] = sides;
    const d = await k.get(`/apis/apps/v1/namespaces/${kk!.ns}/deployments/auto`);
    expect(d.metadata.annotations[KSEC_ANN.recorded]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a restart of ksec rolls nothing', async () => {
    const [, kk] = sides;
    const before = kk!.tw.deployments(NAMES);
    await ksec!.stop();
    ksec = new WatcherProcess(['--enable-csi-integration=true', '--reload-strategy=env-vars', '--debounce=0s'], { KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: kk!.ns });
    await ksec.waitFor('full evaluation', undefined, 60_000);
    await new Promise((res) => setTimeout(res, 2_000));
    expect(kk!.tw.deployments(NAMES)).toEqual(before);
    expect(ksec.raw).toMatch(/"toRoll":0/);
  });
});
