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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reloaderHash } from '../../../src/config-hash/hash.js';
import { KSEC_ANN, reloaderEnvName } from '../../../src/watch/policy.js';
import { configRecord } from '../../../src/watch/state.js';
import type { KubeObject } from '../../../src/manifest/objects.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { TemplateWatch, WatcherProcess, eventually, kube, mergePatch } from './helpers.js';
import { createProbe, PROBE, ReloaderProcess, reloaderReady } from './reloader.js';

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
