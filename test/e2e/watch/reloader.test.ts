/**
 * ksec against the real stakater Reloader (v1.4.14, the bed's `reloader`), on the bed's apiserver.
 *
 * Hash parity: Reloader itself stamps STAKATER_<NAME>_<TYPE> variables for ConfigMaps and Secrets
 * of every shape (binaryData, empty, unicode, bytes that are not UTF-8, many keys); ksec's values
 * (src/config-hash reloaderHash, as the watcher computes them) must be identical.
 *
 * Migration: Reloader, run with a chart's arguments, stamps a mixed set of workloads (some configs
 * changed under it, some never); it stops; ksec starts with the same arguments and environment;
 * no pod template changes. Then one config change rolls exactly the workloads Reloader's rules
 * select, once each, with a new variable on the container that uses the config.
 *
 * One file, run in sequence: Reloader always binds :9090.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reloaderHash } from '../../../src/config-hash/reloader.js';
import { KSEC_ANN, reloaderEnvName } from '../../../src/watch/policy.js';
import { configRecord } from '../../../src/watch/state.js';
import type { KubeObject } from '../../../src/manifest/objects.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { TemplateWatch, WatcherProcess, eventually, kube, mergePatch } from './helpers.js';
import { createProbe, PROBE, ReloaderProcess, reloaderReady } from './reloader.js';
import { startTestProxy, type TestProxy } from '../../helpers/http-proxy.js';

let bed: Testbed;
let k: ReturnType<typeof kube>;
const namespaces: string[] = [];
let reloader: ReloaderProcess | undefined;
const watchers: WatcherProcess[] = [];

beforeAll(() => {
  bed = testbed();
  k = kube(bed);
});

afterAll(async () => {
  await reloader?.stop();
  await Promise.all(watchers.map((w) => w.stop()));
  for (const ns of namespaces) await k.deleteNamespace(ns);
});

async function namespace(prefix: string): Promise<string> {
  const ns = await k.namespace(prefix);
  namespaces.push(ns);
  return ns;
}

type Env = { name: string; value?: string }[];
type Container = { name: string; env?: Env };

async function containersOf(ns: string, resource: string, name: string): Promise<Container[]> {
  const group = resource === 'cronjobs' ? 'batch/v1' : 'apps/v1';
  const obj = await k.get(`/apis/${group}/namespaces/${ns}/${resource}/${name}`);
  const tpl = resource === 'cronjobs' ? obj.spec.jobTemplate.spec.template : obj.spec.template;
  return tpl.spec.containers as Container[];
}

/** STAKATER_* variables per container. */
async function stamped(ns: string, resource: string, name: string): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of await containersOf(ns, resource, name)) {
    out[c.name] = Object.fromEntries((c.env ?? []).filter((e) => e.name.startsWith('STAKATER_')).map((e) => [e.name, e.value ?? '']));
  }
  return out;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

describe('hash parity: the values Reloader stamps are the values ksec computes', () => {
  // every shape the issue names; the final content is PUT over a seed, so Reloader sees an update
  const manyKeys = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`key-${String(i).padStart(3, '0')}`, `value ${i} ${'x'.repeat(i % 97)}`]));
  const notUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x3d, 0x3b, 0x0a]);
  const configMaps: Record<string, { data?: Record<string, string>; binaryData?: Record<string, string> }> = {
    'cm-plain': { data: { a: '1', b: 'two' } },
    'cm-empty': {},
    'cm-empty-value': { data: { k: '' } },
    'cm-unicode': { data: { greeting: 'grüße, 世界 ✓ 🎉', 'e.acute': 'é (NFC)', 'e_combining': 'é (NFD)' } },
    'cm-separators': { data: { 'a': 'b=c;d', 'a.b': '=;=;', '_x': 'line1\nline2\n', '-y': ' spaced ' } },
    'cm-sort-order': { data: { A: '1', a: '2', 'a-': '3', 'a.': '4', a0: '5', Z: '6', _: '7' } },
    'cm-many-keys': { data: manyKeys },
    'cm-binary': { data: { text: 'plain' }, binaryData: { 'blob.bin': b64(notUtf8), 'empty.bin': '' } },
    'cm-binary-only': { binaryData: { 'random.bin': b64(randomBytes(1024)) } },
    'cm.dots--and.more-9': { data: { k: 'name conversion' } },
  };
  const secrets: Record<string, { data: Record<string, string> }> = {
    's-plain': { data: { user: b64('admin'), password: b64('canary-not-a-secret') } },
    's-empty': { data: {} },
    's-empty-value': { data: { k: '' } },
    's-not-utf8': { data: { key: b64(notUtf8), 'tls.key': b64(randomBytes(256)) } },
    's-unicode': { data: { wert: b64('wert ü ✓ 🎉'), 'utf8.txt': b64('世界') } },
    's-many-keys': { data: Object.fromEntries(Object.entries(manyKeys).map(([kk, v]) => [kk, b64(v)])) },
  };
  let ns: string;

  beforeAll(async () => {
    ns = await namespace('reloader-hash');
    await createProbe(bed, ns);
    for (const name of Object.keys(configMaps)) await k.configMap(ns, name, { seed: '0' });
    for (const name of Object.keys(secrets)) await k.secret(ns, name, { seed: '0' });
    // one Deployment using all of them (Reloader's env-vars strategy puts each variable on the container using it)
    await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: 'all-shapes', annotations: { 'reloader.stakater.com/auto': 'true' } },
      spec: {
        selector: { matchLabels: { app: 'all-shapes' } },
        template: {
          metadata: { labels: { app: 'all-shapes' } },
          spec: {
            containers: [{
              name: 'app',
              image: 'registry.invalid/app:1',
              envFrom: [...Object.keys(configMaps).map((n) => ({ configMapRef: { name: n } })), ...Object.keys(secrets).map((n) => ({ secretRef: { name: n } }))],
            }],
          },
        },
      },
    });
    reloader = await ReloaderProcess.start(bed, ns, ['--log-format=json', '--reload-strategy=env-vars']);
    await reloaderReady(bed, ns, reloader);
  }, 180_000);

  it('every ConfigMap and Secret shape', async () => {
    for (const [name, body] of Object.entries(configMaps)) {
      await k.ok('PUT', `/api/v1/namespaces/${ns}/configmaps/${name}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...body });
    }
    for (const [name, body] of Object.entries(secrets)) {
      await k.ok('PUT', `/api/v1/namespaces/${ns}/secrets/${name}`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', ...body });
    }
    const want = [...Object.keys(configMaps).map((n) => reloaderEnvName('ConfigMap', n)), ...Object.keys(secrets).map((n) => reloaderEnvName('Secret', n))];
    const vars = await eventually(
      async () => (await stamped(ns, 'deployments', 'all-shapes')).app ?? {},
      (v) => want.every((n) => n in v),
      120_000,
      'Reloader to stamp every config',
    );
    await reloader!.stop();
    reloader = undefined;
    expect(Object.keys(vars).sort()).toEqual([...want].sort());
    const mismatches: string[] = [];
    for (const [kind, resource, names] of [['ConfigMap', 'configmaps', Object.keys(configMaps)], ['Secret', 'secrets', Object.keys(secrets)]] as const) {
      for (const name of names) {
        const obj = { apiVersion: 'v1', kind, ...(await k.get(`/api/v1/namespaces/${ns}/${resource}/${name}`)) } as KubeObject;
        const fromReloader = vars[reloaderEnvName(kind, name)];
        // the hash module, and the record the watcher keeps (the same value through the watcher's path)
        const ours = reloaderHash(obj);
        const watcherRecord = configRecord(kind, obj as never, true)!.reloaderHash;
        if (ours !== fromReloader || watcherRecord !== fromReloader) mismatches.push(`${kind}/${name}: reloader ${fromReloader}, ksec ${ours}, watcher ${watcherRecord}`);
      }
    }
    expect(mismatches).toEqual([]);
    // SHA-1, as Reloader v1.4.x computes it (internal/pkg/crypto/sha.go): 40 hex digits
    expect(vars[reloaderEnvName('ConfigMap', 'cm-empty')]).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  }, 240_000);
});

/**
 * Workloads of every kind Reloader and ksec both handle, each using some configs that change
 * under Reloader (cm-changed, s-changed, cm-match) and some that never do (cm-never, s-never).
 * `uses` lists what each container references; which ones trigger follows the annotations.
 */
const MIGRATION = {
  'd-auto': { resource: 'deployments', annotations: { 'reloader.stakater.com/auto': 'true' }, containers: { app: ['cm:cm-changed', 'cm:cm-never', 's:s-changed', 's:s-never'] } },
  // the second container uses cm-side through a volume and s-never through envFrom: Reloader puts their variables there
  'd-multi': { resource: 'deployments', annotations: { 'reloader.stakater.com/auto': 'true' }, containers: { app: ['cm:cm-changed'], side: ['vol:cm-side', 's:s-never'] } },
  // named reload: no reference needed; Reloader puts the variable on the first container
  'd-named': { resource: 'deployments', annotations: { 'configmap.reloader.stakater.com/reload': 'cm-changed,cm-never' }, containers: { app: [] } },
  'd-search': { resource: 'deployments', annotations: { 'reloader.stakater.com/search': 'true' }, containers: { app: ['cm:cm-match', 'cm:cm-never'] } },
  'd-typed': { resource: 'deployments', annotations: { 'secret.reloader.stakater.com/auto': 'true' }, containers: { app: ['cm:cm-changed', 's:s-changed'] } },
  'd-plain': { resource: 'deployments', annotations: {}, containers: { app: ['cm:cm-changed', 'cm:cm-never'] } },
  'sts-auto': { resource: 'statefulsets', annotations: { 'reloader.stakater.com/auto': 'true' }, containers: { app: ['cm:cm-changed', 's:s-never'] } },
  'ds-auto': { resource: 'daemonsets', annotations: { 'reloader.stakater.com/auto': 'true' }, containers: { app: ['cm:cm-never', 's:s-changed'] } },
  // Reloader answers a CronJob's config change with a Job, never with a template change; cm-changed only
  'cj-auto': { resource: 'cronjobs', annotations: { 'reloader.stakater.com/auto': 'true' }, containers: { app: ['cm:cm-changed'] } },
} as const;
type Name = keyof typeof MIGRATION;

/** Under Reloader, which workloads a change of each phase-1 config stamps (from Reloader's rules, see MIGRATION). */
const STAMPED_BY: Record<string, { kind: 'ConfigMap' | 'Secret'; workloads: Name[] }> = {
  'cm-changed': { kind: 'ConfigMap', workloads: ['d-auto', 'd-multi', 'd-named', 'sts-auto'] },
  's-changed': { kind: 'Secret', workloads: ['d-auto', 'd-typed', 'ds-auto'] },
  'cm-match': { kind: 'ConfigMap', workloads: ['d-search'] },
};

function podTemplate(name: string, containers: Record<string, readonly string[]>, restartPolicy: string) {
  const volumes: unknown[] = [];
  const cs = Object.entries(containers).map(([cname, uses]) => {
    const envFrom: unknown[] = [];
    const volumeMounts: unknown[] = [];
    for (const u of uses) {
      const [how, ref] = u.split(':') as [string, string];
      if (how === 'cm') envFrom.push({ configMapRef: { name: ref } });
      if (how === 's') envFrom.push({ secretRef: { name: ref } });
      if (how === 'vol') {
        volumes.push({ name: `v-${ref}`, configMap: { name: ref } });
        volumeMounts.push({ name: `v-${ref}`, mountPath: `/etc/${ref}` });
      }
    }
    return { name: cname, image: 'registry.invalid/app:1', envFrom, volumeMounts };
  });
  return { metadata: { labels: { app: name } }, spec: { containers: cs, volumes, restartPolicy } };
}

async function createMigrationSet(ns: string): Promise<void> {
  for (const name of ['cm-changed', 'cm-never', 'cm-side']) await k.configMap(ns, name, { k: 'v1' });
  await k.configMap(ns, 'cm-match', { k: 'v1' }, { 'reloader.stakater.com/match': 'true' });
  for (const name of ['s-changed', 's-never']) await k.secret(ns, name, { k: 'v1' });
  for (const [name, w] of Object.entries(MIGRATION)) {
    const metadata = { name, annotations: w.annotations };
    const selector = { matchLabels: { app: name } };
    if (w.resource === 'cronjobs') {
      await k.ok('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, {
        metadata,
        spec: { schedule: '0 0 1 1 *', suspend: true, jobTemplate: { spec: { template: podTemplate(name, w.containers, 'OnFailure') } } },
      });
    } else {
      const spec: Record<string, unknown> = { selector, template: podTemplate(name, w.containers, 'Always') };
      if (w.resource === 'statefulsets') spec.serviceName = name;
      await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/${w.resource}`, { metadata, spec });
    }
  }
}

async function configObject(ns: string, kind: 'ConfigMap' | 'Secret', name: string): Promise<KubeObject> {
  return { apiVersion: 'v1', kind, ...(await k.get(`/api/v1/namespaces/${ns}/${kind === 'ConfigMap' ? 'configmaps' : 'secrets'}/${name}`)) } as KubeObject;
}

/** Has Reloader (or ksec, env-vars) stamped this config's current hash on the workload? */
async function carries(ns: string, name: Name, kind: 'ConfigMap' | 'Secret', config: string, strategy: 'env-vars' | 'annotations'): Promise<boolean> {
  const hash = reloaderHash(await configObject(ns, kind, config));
  const w = MIGRATION[name];
  if (strategy === 'env-vars') {
    const vars = Object.values(await stamped(ns, w.resource, name));
    return vars.some((v) => v[reloaderEnvName(kind, config)] === hash);
  }
  const group = w.resource === 'cronjobs' ? 'batch/v1' : 'apps/v1';
  const obj = await k.get(`/apis/${group}/namespaces/${ns}/${w.resource}/${name}`);
  const from = obj.spec.template.metadata.annotations?.['reloader.stakater.com/last-reloaded-from'];
  return typeof from === 'string' && JSON.parse(from).name === config && JSON.parse(from).hash === hash;
}

const CHART_ARGS = ['--log-format=json', '--log-level=info', '--reload-on-create=false', '--reload-on-delete=false', '--sync-after-restart=false'];

describe.each([
  // Reloader's chart with its default strategy (no flag: Reloader env-vars, ksec annotations)
  { label: "the chart's default arguments", args: CHART_ARGS, reloaderStrategy: 'env-vars', ksecStrategy: 'annotations' },
  { label: '--reload-strategy=env-vars', args: [...CHART_ARGS, '--reload-strategy=env-vars'], reloaderStrategy: 'env-vars', ksecStrategy: 'env-vars' },
  { label: '--reload-strategy=annotations', args: [...CHART_ARGS, '--reload-strategy=annotations'], reloaderStrategy: 'annotations', ksecStrategy: 'annotations' },
] as const)('migration from Reloader with $label: no rollout on the switch', ({ args, reloaderStrategy, ksecStrategy }) => {
  let ns: string;
  let tw: TemplateWatch;
  let ksec: WatcherProcess;
  const NAMES = [...Object.keys(MIGRATION), PROBE];
  const revisions = () =>
    Object.fromEntries(NAMES.map((n) => [n, tw.revision(n === PROBE ? 'deployments' : MIGRATION[n as Name].resource, n)]));

  beforeAll(async () => {
    ns = await namespace('reloader-migrate');
    await createProbe(bed, ns);
    await createMigrationSet(ns);
  }, 60_000);

  afterAll(() => tw?.stop());

  it('Reloader stamps the configs that change under it, and only those', async () => {
    reloader = await ReloaderProcess.start(bed, ns, [...args]);
    await reloaderReady(bed, ns, reloader);
    for (const [config, { kind, workloads }] of Object.entries(STAMPED_BY)) {
      await k.setData(ns, kind === 'ConfigMap' ? 'configmaps' : 'secrets', config, { k: `v2-${config}` });
      for (const w of workloads) {
        await eventually(() => carries(ns, w, kind, config, reloaderStrategy), Boolean, 60_000, `Reloader to stamp ${config} on ${w}`);
      }
    }
    await reloader.stop();
    reloader = undefined;
    if (reloaderStrategy === 'env-vars') {
      // nothing for configs that never changed: the situation that used to roll on ksec's first start
      expect(await stamped(ns, 'deployments', 'd-auto')).toEqual({
        app: { STAKATER_CM_CHANGED_CONFIGMAP: expect.any(String), STAKATER_S_CHANGED_SECRET: expect.any(String) },
      });
      expect(await stamped(ns, 'deployments', 'd-multi')).toEqual({ app: { STAKATER_CM_CHANGED_CONFIGMAP: expect.any(String) }, side: {} });
    }
  }, 180_000);

  it('ksec started with the same arguments and environment changes no pod template', async () => {
    tw = new TemplateWatch(bed, ns);
    await tw.start();
    ksec = new WatcherProcess([...args], { KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: ns });
    watchers.push(ksec);
    await ksec.waitFor('full evaluation', undefined, 60_000);
    expect(ksec.logs.find((l) => l.msg === 'starting')).toMatchObject({ strategy: ksecStrategy, namespaces: [ns] });
    // every managed workload gets its baseline recorded (metadata only)
    for (const name of NAMES.filter((n) => n !== 'd-plain')) {
      const resource = name === PROBE ? 'deployments' : MIGRATION[name as Name].resource;
      const group = resource === 'cronjobs' ? 'batch/v1' : 'apps/v1';
      await eventually(() => k.get(`/apis/${group}/namespaces/${ns}/${resource}/${name}`), (o) => typeof o.metadata.annotations?.[KSEC_ANN.recorded] === 'string', 30_000, `baseline on ${name}`);
    }
    await new Promise((r) => setTimeout(r, 3_000)); // past the 2 s debounce: a rollout would have happened
    expect(revisions()).toEqual(Object.fromEntries(NAMES.map((n) => [n, 1])));
    expect(ksec.count('rolled')).toBe(0);
  }, 120_000);

  it('then one change rolls exactly the workloads Reloader would roll, once each, on the container using the config', async () => {
    // cm-never: d-auto (auto, references it), d-named (named), ds-auto (auto); not d-search (no match), d-typed (secret auto), d-plain
    await k.setData(ns, 'configmaps', 'cm-never', { k: 'v2' });
    const one = { ...Object.fromEntries(NAMES.map((n) => [n, 1])), 'd-auto': 2, 'd-named': 2, 'ds-auto': 2 };
    await eventually(async () => revisions(), (r) => r['d-auto'] === 2 && r['d-named'] === 2 && r['ds-auto'] === 2, 30_000, 'the cm-never rollouts');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(revisions()).toEqual(one);
    // s-never: d-auto, d-multi (its side container uses it), sts-auto
    await k.setData(ns, 'secrets', 's-never', { k: 'v2' });
    const two = { ...one, 'd-auto': 3, 'd-multi': 2, 'sts-auto': 2 };
    await eventually(async () => revisions(), (r) => r['d-auto'] === 3 && r['d-multi'] === 2 && r['sts-auto'] === 2, 30_000, 'the s-never rollouts');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(revisions()).toEqual(two);
    if (ksecStrategy === 'env-vars') {
      const cmNever = reloaderHash(await configObject(ns, 'ConfigMap', 'cm-never'));
      const sNever = reloaderHash(await configObject(ns, 'Secret', 's-never'));
      expect((await stamped(ns, 'deployments', 'd-auto')).app).toMatchObject({ STAKATER_CM_NEVER_CONFIGMAP: cmNever, STAKATER_S_NEVER_SECRET: sNever });
      // Reloader's getContainerUsingResource: the container referencing s-never, not the first one
      expect(await stamped(ns, 'deployments', 'd-multi')).toEqual({
        app: { STAKATER_CM_CHANGED_CONFIGMAP: expect.any(String) },
        side: { STAKATER_S_NEVER_SECRET: sNever },
      });
    }
    // Reloader's metric name counts the same six rollouts (dashboards built on it keep working)
    expect(await ksec.metric('reloader_reload_executed_total{success="true"}')).toBe(6);
    expect(await ksec.metric('reloader_reload_executed_total{success="false"}')).toBe(0);
    await ksec.stop();
  }, 120_000);
});

/**
 * Behaviour table: the same workloads in two namespaces, Reloader acting in one and ksec in the
 * other (same arguments), the same steps; after each step both must have rolled the same workloads.
 * The workloads cover the semantics where a reading of Reloader's source is easy to get wrong.
 */
const TABLE: Record<string, { annotations?: Record<string, string>; podAnnotations?: Record<string, string>; uses: string[] }> = {
  'auto-title': { annotations: { 'reloader.stakater.com/auto': 'True' }, uses: ['cm:cm-1', 'cm:cm-new'] },
  'auto-one': { annotations: { 'reloader.stakater.com/auto': '1' }, uses: ['cm:cm-2'] },
  'auto-yes': { annotations: { 'reloader.stakater.com/auto': 'yes' }, uses: ['cm:cm-1'] },
  'auto-false': { annotations: { 'reloader.stakater.com/auto': 'false' }, uses: ['cm:cm-1'] },
  // "^" + "cm-1|zz" + "$": starts with cm-1 (cm-1, cm-10) or ends with zz
  'named-alt': { annotations: { 'configmap.reloader.stakater.com/reload': 'cm-1|zz' }, uses: [] },
  'named-grouped': { annotations: { 'configmap.reloader.stakater.com/reload': '(cm-1)' }, uses: [] },
  'exclude-meta': { annotations: { 'reloader.stakater.com/auto': 'true', 'configmaps.exclude.reloader.stakater.com/reload': 'cm-1' }, uses: ['cm:cm-1', 'cm:cm-2'] },
  // exclude on the pod template is not read (Reloader reads it from the workload's metadata)
  'exclude-tpl': { podAnnotations: { 'reloader.stakater.com/auto': 'true', 'configmaps.exclude.reloader.stakater.com/reload': 'cm-1' }, uses: ['cm:cm-1'] },
  search: { annotations: { 'reloader.stakater.com/search': 'true' }, uses: ['cm:cm-match', 'cm:cm-1'] },
  'secret-auto': { annotations: { 'secret.reloader.stakater.com/auto': 'T' }, uses: ['cm:cm-1', 's:s-1'] },
  plain: { uses: ['cm:cm-1', 's:s-1'] },
};

async function createTable(ns: string): Promise<void> {
  for (const name of ['cm-1', 'cm-10', 'cm-2']) await k.configMap(ns, name, { k: 'v1' });
  await k.configMap(ns, 'cm-match', { k: 'v1' }, { 'reloader.stakater.com/match': 'true' });
  await k.secret(ns, 's-1', { k: 'v1' });
  for (const [name, w] of Object.entries(TABLE)) {
    const envFrom = w.uses.map((u) => {
      const [how, ref] = u.split(':') as [string, string];
      return how === 'cm' ? { configMapRef: { name: ref, optional: true } } : { secretRef: { name: ref, optional: true } };
    });
    await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name, annotations: w.annotations ?? {} },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name }, annotations: w.podAnnotations ?? {} }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom }] } },
      },
    });
  }
}

type Step = { label: string; run: (ns: string) => Promise<unknown> };
const annotate = (name: string, annotations: Record<string, string | null>) => (ns: string) =>
  mergePatch(bed, `/api/v1/namespaces/${ns}/configmaps/${name}`, { metadata: { annotations } });
const STEPS: Step[] = [
  { label: 'change cm-1', run: (ns) => k.setData(ns, 'configmaps', 'cm-1', { k: 'v2' }) },
  { label: 'change cm-10 (matched by the unanchored alternative)', run: (ns) => k.setData(ns, 'configmaps', 'cm-10', { k: 'v2' }) },
  { label: 'change cm-2', run: (ns) => k.setData(ns, 'configmaps', 'cm-2', { k: 'v2' }) },
  { label: 'change cm-match', run: (ns) => k.setData(ns, 'configmaps', 'cm-match', { k: 'v2' }) },
  { label: 'set reloader.stakater.com/ignore on cm-1', run: annotate('cm-1', { 'reloader.stakater.com/ignore': 'true' }) },
  { label: 'change the ignored cm-1', run: (ns) => k.setData(ns, 'configmaps', 'cm-1', { k: 'v3' }) },
  { label: 'remove the ignore annotation', run: annotate('cm-1', { 'reloader.stakater.com/ignore': null }) },
  { label: 'remove match from cm-match', run: annotate('cm-match', { 'reloader.stakater.com/match': null }) },
  { label: 'change s-1', run: (ns) => k.setData(ns, 'secrets', 's-1', { k: 'v2' }) },
  { label: 'create cm-new (used by auto-title)', run: (ns) => k.configMap(ns, 'cm-new', { k: 'v1' }) },
  { label: 'delete cm-2 (used by auto-one and exclude-meta)', run: (ns) => k.ok('DELETE', `/api/v1/namespaces/${ns}/configmaps/cm-2`) },
];

describe.each([
  { label: "Reloader's defaults", args: ['--reload-strategy=env-vars'] },
  { label: '--reload-on-create=true --reload-on-delete=true', args: ['--reload-strategy=env-vars', '--reload-on-create=true', '--reload-on-delete=true'] },
])('behaviour table with $label: Reloader and ksec roll the same workloads at every step', ({ args }) => {
  let nsR: string;
  let nsK: string;
  let twR: TemplateWatch;
  let twK: TemplateWatch;
  let ksec: WatcherProcess;
  const NAMES = Object.keys(TABLE);
  const revisions = (tw: TemplateWatch) => Object.fromEntries(NAMES.map((n) => [n, tw.revision('deployments', n)]));

  beforeAll(async () => {
    nsR = await namespace('reloader-table-r');
    nsK = await namespace('reloader-table-k');
    await createProbe(bed, nsR);
    await createTable(nsR);
    await createTable(nsK);
    reloader = await ReloaderProcess.start(bed, nsR, [...args]);
    await reloaderReady(bed, nsR, reloader);
    ksec = new WatcherProcess([...args], { KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: nsK });
    watchers.push(ksec);
    await ksec.waitFor('full evaluation', undefined, 60_000);
    twR = new TemplateWatch(bed, nsR);
    twK = new TemplateWatch(bed, nsK);
    await twR.start(['deployments']);
    await twK.start(['deployments']);
  }, 180_000);

  afterAll(async () => {
    twR?.stop();
    twK?.stop();
    await ksec?.stop();
    await reloader?.stop();
    reloader = undefined;
  });

  it('every step', async () => {
    const table: string[] = [];
    for (const step of STEPS) {
      await step.run(nsR);
      await step.run(nsK);
      // settle: past ksec's 2 s debounce, and both unchanged for 1.5 s
      let last = '';
      let since = Date.now();
      const start = Date.now();
      while (Date.now() - start < 3_000 || Date.now() - since < 1_500) {
        const now = JSON.stringify([revisions(twR), revisions(twK)]);
        if (now !== last) {
          last = now;
          since = Date.now();
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      const r = revisions(twR);
      const kk = revisions(twK);
      table.push(`${step.label}: reloader ${JSON.stringify(r)} ksec ${JSON.stringify(kk)}`);
      expect(kk, `after "${step.label}"\n${table.join('\n')}`).toEqual(r);
    }
    // the table is not vacuous: the tricky rows did roll where Reloader rolls
    const r = revisions(twR);
    expect(r['named-alt']).toBeGreaterThanOrEqual(3); // cm-1 and cm-10
    expect(r['exclude-tpl']).toBeGreaterThanOrEqual(2);
    expect(r['auto-title']).toBeGreaterThanOrEqual(2);
    expect(r['auto-yes']).toBe(1);
    // and the variables are the same, name for name, value for value, container for container
    for (const name of NAMES) expect(await stamped(nsK, 'deployments', name), name).toEqual(await stamped(nsR, 'deployments', name));
  }, 240_000);
});

describe('--webhook-url: Reloader and ksec send the same notifications and reload nothing', () => {
  let server: http.Server;
  const got: { r: { type?: string; body: string }[]; k: { type?: string; body: string }[] } = { r: [], k: [] };
  let base = '';
  let nsR: string;
  let nsK: string;
  let ksec: WatcherProcess;
  let twR: TemplateWatch;
  let twK: TemplateWatch;

  async function fixture(ns: string): Promise<void> {
    await k.configMap(ns, 'used', { k: 'v1' });
    await k.configMap(ns, 'unused', { k: 'v1' });
    await k.secret(ns, 'sec', { k: 'v1' });
    await k.configMap(ns, 'probe', { n: '0' });
    await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: 'app', annotations: { 'reloader.stakater.com/auto': 'true' } },
      spec: {
        selector: { matchLabels: { app: 'app' } },
        template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: [{ configMapRef: { name: 'used' } }, { secretRef: { name: 'sec' } }] }] } },
      },
    });
  }

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got[req.url === '/r' ? 'r' : 'k'].push({ type: req.headers['content-type'], body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    nsR = await namespace('reloader-hook-r');
    nsK = await namespace('reloader-hook-k');
    await fixture(nsR);
    await fixture(nsK);
    reloader = await ReloaderProcess.start(bed, nsR, [`--webhook-url=${base}/r`]);
    // ready when a probe change is announced (no template changes with a webhook)
    for (let n = 1; got.r.length === 0; n++) {
      if (reloader.exited) throw new Error(`reloader exited:\n${reloader.raw.slice(-3000)}`);
      if (n > 200) throw new Error(`reloader sent no webhook:\n${reloader.raw.slice(-3000)}`);
      await k.setData(nsR, 'configmaps', 'probe', { n: String(n) });
      await new Promise((r) => setTimeout(r, 300));
    }
    ksec = new WatcherProcess([`--webhook-url=${base}/k`], { KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: nsK });
    watchers.push(ksec);
    await ksec.waitFor('full evaluation', undefined, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    got.r.length = 0;
    twR = new TemplateWatch(bed, nsR);
    twK = new TemplateWatch(bed, nsK);
    await twR.start(['deployments']);
    await twK.start(['deployments']);
  }, 180_000);

  afterAll(async () => {
    twR?.stop();
    twK?.stop();
    await ksec?.stop();
    await reloader?.stop();
    reloader = undefined;
    server?.close();
  });

  it('one POST of {"webhook":"update successful"} per content change of any config; none for metadata, create or delete', async () => {
    const steps: [string, (ns: string) => Promise<unknown>, number][] = [
      ['change a used ConfigMap', (ns) => k.setData(ns, 'configmaps', 'used', { k: 'v2' }), 1],
      ['change an unused ConfigMap', (ns) => k.setData(ns, 'configmaps', 'unused', { k: 'v2' }), 1],
      ['change a Secret', (ns) => k.setData(ns, 'secrets', 'sec', { k: 'v2' }), 1],
      ['annotate a ConfigMap (no content change)', (ns) => mergePatch(bed, `/api/v1/namespaces/${ns}/configmaps/used`, { metadata: { annotations: { 'reloader.stakater.com/ignore': 'true' } } }), 0],
      ['change the ignored ConfigMap (Reloader sends before reading ignore)', (ns) => k.setData(ns, 'configmaps', 'used', { k: 'v3' }), 1],
      ['create a ConfigMap', (ns) => k.configMap(ns, 'fresh', { k: 'v1' }), 0],
      ['delete a ConfigMap', (ns) => k.ok('DELETE', `/api/v1/namespaces/${ns}/configmaps/unused`), 0],
    ];
    let expected = 0;
    for (const [label, run, n] of steps) {
      await run(nsR);
      await run(nsK);
      expected += n;
      await eventually(async () => [got.r.length, got.k.length], ([r, kk]) => r === expected && kk === expected, 15_000, label).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1_500));
      expect({ step: label, reloader: got.r.length, ksec: got.k.length }).toEqual({ step: label, reloader: expected, ksec: expected });
    }
    expect(got.k).toEqual(got.r);
    expect(got.r[0]).toEqual({ type: 'application/json', body: '{"webhook":"update successful"}' });
    // nothing reloaded on either side
    expect(twR.revision('deployments', 'app')).toBe(1);
    expect(twK.revision('deployments', 'app')).toBe(1);
  }, 120_000);
});

describe.each([
  { sink: 'slack', info: undefined, viaProxy: false },
  { sink: 'teams', info: undefined, viaProxy: false },
  { sink: 'gchat', info: undefined, viaProxy: false },
  { sink: 'raw', info: 'cluster-a', viaProxy: false },
  { sink: 'slack', info: undefined, viaProxy: true },
])('ALERT_ON_RELOAD with ALERT_SINK=$sink (ALERT_WEBHOOK_PROXY: $viaProxy): the same alert as Reloader', ({ sink, info, viaProxy }) => {
  let server: http.Server;
  let proxy: TestProxy | undefined;
  const got: { r: { type?: string; body: string }[]; k: { type?: string; body: string }[] } = { r: [], k: [] };
  let nsR: string;
  let nsK: string;
  let ksec: WatcherProcess;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got[req.url === '/r' ? 'r' : 'k'].push({ type: req.headers['content-type'], body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (viaProxy) proxy = await startTestProxy();
    const proxyUrl = proxy ? proxy.url.replace('http://', 'http://alerts:PR0XY-PASS@') : undefined;
    const env = (path: string) => ({
      ALERT_ON_RELOAD: 'true',
      ALERT_SINK: sink,
      ALERT_WEBHOOK_URL: `${base}${path}`,
      ...(info ? { ALERT_ADDITIONAL_INFO: info } : {}),
      ...(proxyUrl ? { ALERT_WEBHOOK_PROXY: proxyUrl } : {}),
    });
    nsR = await namespace('reloader-alert-r');
    nsK = await namespace('reloader-alert-k');
    for (const ns of [nsR, nsK]) {
      await k.configMap(ns, 'cfg', { k: 'v1' });
      await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
        metadata: { name: 'web', annotations: { 'reloader.stakater.com/auto': 'true' } },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: [{ configMapRef: { name: 'cfg' } }] }] } } },
      });
    }
    await createProbe(bed, nsR);
    reloader = await ReloaderProcess.start(bed, nsR, [], env('/r'));
    await reloaderReady(bed, nsR, reloader);
    ksec = new WatcherProcess(['--debounce=0s'], { KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: nsK, ...env('/k') });
    watchers.push(ksec);
    await ksec.waitFor('full evaluation', undefined, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    got.r.length = 0; // the probe's alerts
    if (proxy) proxy.seen.length = 0;
  }, 180_000);

  afterAll(async () => {
    await ksec?.stop();
    await reloader?.stop();
    reloader = undefined;
    server?.close();
    await proxy?.close();
  });

  it('one alert per reload: same content type, same payload (namespaces aside)', async () => {
    await k.setData(nsR, 'configmaps', 'cfg', { k: 'v2' });
    await k.setData(nsK, 'configmaps', 'cfg', { k: 'v2' });
    await eventually(async () => [got.r.length, got.k.length], ([r, kk]) => r! >= 1 && kk! >= 1, 30_000, 'an alert from each');
    await new Promise((r) => setTimeout(r, 1_500));
    expect([got.r.length, got.k.length]).toEqual([1, 1]);
    const norm = (b: string, ns: string) => b.replaceAll(ns, 'NS');
    expect(got.k[0]!.type).toBe(got.r[0]!.type);
    const r = norm(got.r[0]!.body, nsR);
    const kk = norm(got.k[0]!.body, nsK);
    if (sink === 'raw') expect(kk).toBe(r);
    else expect(JSON.parse(kk)).toEqual(JSON.parse(r));
    expect(r).toContain('cfg');
    if (proxy) {
      // both sent their alert as a forward request to the proxy, with the same Proxy-Authorization
      const auth = `Basic ${Buffer.from('alerts:PR0XY-PASS').toString('base64')}`;
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect([...proxy.seen].sort((a, b) => a.target.localeCompare(b.target))).toEqual([
        { method: 'POST', target: `${base}/k`, proxyAuthorization: auth },
        { method: 'POST', target: `${base}/r`, proxyAuthorization: auth },
      ]);
      expect(ksec.raw).not.toContain('PR0XY-PASS');
    }
  }, 60_000);
});
