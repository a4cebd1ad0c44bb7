/**
 * Generate -> apply -> synced values, with the real ESO controller (v2.9.0) against moto.
 *
 * moto holds secrets of every shape ksec handles: a plain string, JSON objects with nested and odd
 * keys, a binary SecretBinary, a secret with several versions and stages, a deep path, a name that
 * needs sanitising, and 1,000+ secrets under a prefix of their own. ksec writes the store
 * (`eso store --auth secret-ref`) and the ExternalSecrets in every mode (`data`, `extract`, `find`,
 * `-d DIR` built by kustomize); the test applies them; ESO reads moto and writes Secrets; each Secret
 * must hold exactly moto's current value, key for key, byte for byte, computed here from the values
 * the test stored (strings as they are, other JSON values as their JSON text, binary as its bytes).
 *
 * Then the drift check: `eso generate --check -d DIR` is 0 on the directory just written, 1 after
 * a secret is added and another restructured in AWS, naming the files and fields, never a value.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKsec, type KsecResult } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { Cluster, docs, ready, type Obj } from './cluster.js';
import { EsoController, installEsoCrds, tearDownEso, waitFor, type EsoStatus } from './controller.js';
import { client } from './seed.js';

/** Secrets under the bulk prefix (find mode: one ExternalSecret, one Secret with this many keys). */
const BULK = Number(process.env.KSEC_E2E_ESO_BULK ?? 1_001);

let bed: Testbed;
let k: Cluster;
let eso: EsoController | undefined;
let sm: SecretsManagerClient;
let ns: string;
const run = randomBytes(4).toString('hex');
const P = `ksec-e2e-sync-${run}`;
const BULK_PREFIX = `ksec-e2e-bulk-${run}/`;
const STORE = `ksec-e2e-sync-${run}`;
const CANARY = `CANARY-${randomBytes(6).toString('hex')}`;

/** What the test stored, by AWS name: the current value. */
const stored = new Map<string, string | Buffer>();

const json = {
  username: `user-${CANARY}`,
  password: `p@ss ${CANARY} ünïcödé\n`,
  'api key': CANARY,
  'dotted.key': `dot-${CANARY}`,
  'weird*key#1': 'star',
  'ünï': 'non-ascii key',
  num: 42,
  flag: true,
  nothing: null,
  list: [1, 'two', { three: 3 }],
  nested: { host: `db-${CANARY}.internal`, port: 5432, deep: { a: 'b', 'c.d': 'e' } },
  empty: '',
};

async function put(name: string, value: string | Buffer): Promise<void> {
  await sm.send(new CreateSecretCommand({ Name: name, ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: value }) }));
  stored.set(name, value);
}

function ksec(args: string[], env: NodeJS.ProcessEnv = {}): Promise<KsecResult> {
  return runKsec(args, { env: { ...bed.env, ...env } });
}

async function ok(args: string[]): Promise<string> {
  const r = await ksec(args);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  return r.stdout;
}

/** gjson's Result.String() as ESO returns a property, and encoding/json's raw value as extract keeps it. */
function propertyValue(v: unknown): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v === null) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify(v), 'utf8');
}

function whole(name: string): Buffer {
  const v = stored.get(name)!;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** Waits until every ExternalSecret in `names` is Ready, then returns the Secrets of the namespace. */
async function synced(names: string[]): ReturnType<Cluster['secrets']> {
  for (const name of names) {
    await waitFor(
      () => k.status('ExternalSecret', name, ns),
      (s) => ready(s)?.status === 'True' || ready(s)?.reason === 'SecretSyncedError',
      `ExternalSecret ${name} to sync`,
      90_000,
    );
    const s = await k.status('ExternalSecret', name, ns);
    expect(ready(s), `${name}: ${ready(s)?.message}\n${eso?.raw.slice(-2000)}`).toMatchObject({ status: 'True' });
  }
  return k.secrets(ns);
}

function expectBytes(actual: Map<string, Buffer> | undefined, expected: Map<string, Buffer>, what: string): void {
  expect(actual, what).toBeDefined();
  expect([...actual!.keys()].sort(), what).toEqual([...expected.keys()].sort());
  for (const [key, want] of expected) expect(actual!.get(key)!.equals(want), `${what}: key ${key}`).toBe(true);
}

beforeAll(async () => {
  bed = testbed();
  k = new Cluster(bed);
  sm = client();
  await installEsoCrds(bed);
  ns = await k.namespace('ksec-esosync');
  // static credentials through a secretRef: the controller has none of its own
  await k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-creds' }, stringData: { 'access-key-id': 'AKIAKSECE2E', 'secret-access-key': 'ksec-e2e' } } as Obj], ns);
  const store = await ok(['eso', 'store', '--name', STORE, '--region', 'us-east-1', '--auth', 'secret-ref', '--secret-name', 'aws-creds', '--secret-namespace', ns]);
  await k.apply(docs(store));

  await put(`${P}/plain/token`, `tok-${CANARY}`);
  await put(`${P}/plain/multiline`, `line 1\nline 2 ${CANARY}\n\ttabbed ✓\n`);
  await put(`${P}/json/db`, JSON.stringify(json));
  await put(`${P}/json/flat`, JSON.stringify({ a: '1', b: CANARY }));
  await put(`${P}/bin/cert`, Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 0x0a]), randomBytes(64), Buffer.from(CANARY)]));
  await put(`${P}/a/b/c/d/e/f/g/deep`, JSON.stringify({ leaf: `deep-${CANARY}` }));
  await put(`${P}/Odd_Name.With+Chars=@x`, JSON.stringify({ 'Key With Spaces': CANARY }));
  // several versions: the ExternalSecret reads AWSCURRENT; a newer version staged under another label is not it
  const versioned = `${P}/versions/api`;
  await put(versioned, JSON.stringify({ token: 'v1' }));
  await sm.send(new PutSecretValueCommand({ SecretId: versioned, SecretString: JSON.stringify({ token: `v2-${CANARY}` }) }));
  stored.set(versioned, JSON.stringify({ token: `v2-${CANARY}` }));
  await sm.send(new PutSecretValueCommand({ SecretId: versioned, SecretString: JSON.stringify({ token: 'v3-staged', extra: 'x' }), VersionStages: ['STAGED'] }));
  // one at a time: moto 5.x races on concurrent CreateSecret
  for (let i = 0; i < BULK; i++) {
    const name = `${BULK_PREFIX}svc-${String(i).padStart(4, '0')}/${i % 3 === 0 ? 'cfg' : 'key'}`;
    if (i % 5 === 0) await put(name, Buffer.concat([Buffer.from([0xff, i % 256]), Buffer.from(CANARY)]));
    else await put(name, i % 2 ? JSON.stringify({ i, canary: CANARY }) : `value-${i}-${CANARY}`);
  }

  eso = await EsoController.start(bed, { namespace: ns });
  // the store is validated before any ExternalSecret is reconciled (ESO's flood gate)
  await waitFor(() => k.status('ClusterSecretStore', STORE), (s) => ready(s)?.status === 'True', `ClusterSecretStore ${STORE} ready`);
}, 600_000);

afterAll(async () => {
  await tearDownEso(bed, eso, ns, STORE);
});

const smallNames = () => [...stored.keys()].filter((n) => n.startsWith(`${P}/`));

describe('ESO syncs what ksec generates from Secrets Manager', () => {
  it('data mode: one key per JSON property, whole values for strings and binary', async () => {
    const out = await ok(['eso', 'generate', '--path', `${P}/`, '--store', STORE, '-n', ns, '--mode', 'data']);
    const objects = docs(out);
    expect(objects).toHaveLength(smallNames().length);
    await k.apply(objects);
    const secrets = await synced(objects.map((o) => o.metadata.name));
    for (const es of objects) {
      const spec = es.spec as { target: { name: string }; data: { secretKey: string; remoteRef: { key: string; property?: string } }[] };
      const expected = new Map<string, Buffer>();
      for (const d of spec.data) {
        const value = stored.get(d.remoteRef.key)!;
        expected.set(d.secretKey, d.remoteRef.property === undefined ? whole(d.remoteRef.key) : propertyValue(JSON.parse(value as string)[unescapeTopLevel(d.remoteRef.property)]));
      }
      expectBytes(secrets.get(spec.target.name)?.data, expected, `data ${es.metadata.name}`);
    }
    // every top-level key of the odd JSON object made it, under a valid key
    const db = objects.find((o) => (o.spec as { data: { remoteRef: { key: string } }[] }).data[0]!.remoteRef.key === `${P}/json/db`)!;
    expect((db.spec as { data: unknown[] }).data).toHaveLength(Object.keys(json).length);
  });

  it('extract mode: every key of each JSON object, odd keys rewritten to valid Secret keys', async () => {
    const out = await ok(['eso', 'generate', '--path', `${P}/`, '--store', STORE, '-n', ns, '--mode', 'extract', '--strip-prefix']);
    const objects = docs(out);
    await k.apply(objects);
    const secrets = await synced(objects.map((o) => o.metadata.name));
    for (const es of objects) {
      const spec = es.spec as { target: { name: string }; dataFrom?: { extract: { key: string } }[]; data?: { secretKey: string; remoteRef: { key: string } }[] };
      const expected = new Map<string, Buffer>();
      if (spec.dataFrom) {
        const value = JSON.parse(stored.get(spec.dataFrom[0]!.extract.key) as string) as Record<string, unknown>;
        for (const [key, v] of Object.entries(value)) expected.set(key.replace(/[^-._a-zA-Z0-9]/g, '_'), propertyValue(v));
      } else {
        for (const d of spec.data!) expected.set(d.secretKey, whole(d.remoteRef.key));
      }
      expectBytes(secrets.get(spec.target.name)?.data, expected, `extract ${es.metadata.name}`);
    }
  });

  it(`find mode: one Secret with all ${BULK} secrets under a prefix`, async () => {
    const out = await ok(['eso', 'generate', '--path', BULK_PREFIX, '--store', STORE, '-n', ns, '--mode', 'find']);
    const objects = docs(out);
    expect(objects).toHaveLength(1);
    await k.apply(objects);
    const secrets = await synced([objects[0]!.metadata.name]);
    const expected = new Map<string, Buffer>();
    for (const name of stored.keys()) {
      if (name.startsWith(BULK_PREFIX)) expected.set(name.slice(BULK_PREFIX.length).replace(/[^-._a-zA-Z0-9]/g, '_'), whole(name));
    }
    expect(expected.size).toBe(BULK);
    expectBytes(secrets.get((objects[0]!.spec as { target: { name: string } }).target.name)?.data, expected, 'find');
  });

  it('-d DIR over 300 of them (three --path prefixes): one ExternalSecret each through kustomize, every Secret byte for byte', async () => {
    // 300, not all: ESO reconciling 1,000 ExternalSecrets on the shared 2-core bed takes minutes; find mode above reads all of them
    const dir = await mkdtemp(join(tmpdir(), 'ksec-eso-bulk-'));
    const paths = ['svc-00', 'svc-01', 'svc-02'].flatMap((p) => ['--path', `${BULK_PREFIX}${p}`]);
    await ok(['eso', 'generate', ...paths, '--store', STORE, '-n', ns, '--strip-prefix', '-d', dir]);
    const objects = docs((await bed.exec('kustomize', ['build', dir])).stdout);
    const want = Math.min(BULK, 300);
    expect(objects).toHaveLength(want);
    await k.apply(objects);
    const names = new Set(objects.map((o) => o.metadata.name));
    // one list call per poll instead of one GET per ExternalSecret
    const statuses = await waitFor(
      async () => {
        const r = await bed.request('GET', `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`);
        return r.json<{ items: { metadata: { name: string }; status?: EsoStatus }[] }>().items.filter((i) => names.has(i.metadata.name));
      },
      (items) =>
        items.length === want &&
        items.every((i) => {
          const r = ready(i.status ?? {});
          return r?.status === 'True' || r?.reason === 'SecretSyncedError';
        }),
      `${want} ExternalSecrets to sync`,
      150_000,
      1_000,
    );
    const failed = statuses.filter((i) => ready(i.status ?? {})?.status !== 'True');
    expect(failed.map((i) => `${i.metadata.name}: ${ready(i.status ?? {})?.message}`)).toEqual([]);
    const secrets = await k.secrets(ns);
    for (const es of objects) {
      const spec = es.spec as { target: { name: string }; data: { secretKey: string; remoteRef: { key: string; property?: string } }[] };
      const expected = new Map<string, Buffer>();
      for (const d of spec.data) {
        expected.set(d.secretKey, d.remoteRef.property === undefined ? whole(d.remoteRef.key) : propertyValue(JSON.parse(stored.get(d.remoteRef.key) as string)[d.remoteRef.property]));
      }
      expectBytes(secrets.get(spec.target.name)?.data, expected, `bulk ${es.metadata.name}`);
    }
  }, 240_000);

  it('-d DIR: kustomize builds the directory, ESO syncs it (flattened nested keys)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-eso-sync-'));
    await ok(['eso', 'generate', '--path', `${P}/json/`, '--store', STORE, '-n', ns, '--flatten', '--strip-prefix', '-d', dir]);
    const built = await bed.exec('kustomize', ['build', dir]);
    const objects = docs(built.stdout);
    expect(objects.map((o) => o.metadata.name).sort()).toEqual(['db', 'flat']);
    await k.apply(objects);
    const secrets = await synced(objects.map((o) => o.metadata.name));
    const db = secrets.get('db')!.data;
    // one key per leaf: nested.host, nested.deep.a, nested.deep.c.d ...
    expect(db.get('nested.host')!.toString()).toBe(json.nested.host);
    expect(db.get('nested.port')!.toString()).toBe('5432');
    expect(db.get('nested.deep.a')!.toString()).toBe('b');
    expect(db.get('nested.deep.c.d')!.toString()).toBe('e');
    expect(db.get('dotted.key')!.toString()).toBe(json['dotted.key']);
    expect(db.get('api_key')!.toString()).toBe(CANARY);
    expect(db.get('list')!.toString()).toBe(JSON.stringify(json.list));
    expectBytes(secrets.get('flat')!.data, new Map([['a', Buffer.from('1')], ['b', Buffer.from(CANARY)]]), 'flat');

    // drift: current now
    const current = await ksec(['eso', 'generate', '--path', `${P}/json/`, '--store', STORE, '-n', ns, '--flatten', '--strip-prefix', '-d', dir, '--check']);
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toBe('');
    // a secret added and another restructured in AWS
    await put(`${P}/json/added`, JSON.stringify({ k: CANARY }));
    await sm.send(new PutSecretValueCommand({ SecretId: `${P}/json/flat`, SecretString: JSON.stringify({ a: '1', c: CANARY }) }));
    const stale = await ksec(['eso', 'generate', '--path', `${P}/json/`, '--store', STORE, '-n', ns, '--flatten', '--strip-prefix', '-d', dir, '--check']);
    expect(stale.code, stale.stderr).toBe(1);
    const lines = stale.stdout.trim().split('\n').sort();
    expect(lines).toEqual([
      `${ns}_added.yaml: ExternalSecret ${ns}/added is missing (generate would write it now)`,
      `${ns}_flat.yaml: ExternalSecret ${ns}/flat differs at spec.data[secretKey=c] (missing), spec.data[secretKey=b] (not produced now)`,
      `kustomization.yaml: Kustomization differs at resources (+${ns}_added.yaml)`,
    ].sort());
    expect(stale.stdout + stale.stderr).not.toContain(CANARY);
  });
});

/** A top-level property as ksec writes it (gjson escapes, dots kept) back to the JSON key. */
function unescapeTopLevel(property: string): string {
  return property.replace(/\\(.)/g, '$1');
}
