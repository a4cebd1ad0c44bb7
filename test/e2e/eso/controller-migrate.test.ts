/**
 * `ksec eso migrate` end to end: a committed Secret (with a key that is not UTF-8 and a type of its
 * own), a SOPS-encrypted Secret and a SealedSecret go to moto; the ExternalSecrets ksec prints are
 * applied; the real ESO controller recreates each Secret, which must equal the original: the same
 * keys, the same bytes, the same type. The originals of the encrypted ones come from the real peers:
 * `sops -d` and `kubeseal --recovery-unseal`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from '../../../src/manifest/write.js';
import { runKsec, type KsecResult } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { Cluster, docs, ready, type Obj } from './cluster.js';
import { EsoController, installEsoCrds, tearDownEso, waitFor } from './controller.js';

let bed: Testbed;
let k: Cluster;
let eso: EsoController | undefined;
let ns: string;
const run = randomBytes(4).toString('hex');
const PREFIX = `ksec-e2e-migrate-${run}`;
const STORE = `ksec-e2e-migrate-${run}`;
const CANARY = `CANARY-${randomBytes(6).toString('hex')}`;

function ksec(args: string[]): Promise<KsecResult> {
  return runKsec(args, { env: bed.env });
}

/** A Secret's data as bytes, from data (base64) and stringData, as the apiserver would store it. */
function bytesOf(secret: { data?: Record<string, string>; stringData?: Record<string, string> }): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [key, v] of Object.entries(secret.data ?? {})) out.set(key, Buffer.from(v, 'base64'));
  for (const [key, v] of Object.entries(secret.stringData ?? {})) out.set(key, Buffer.from(v, 'utf8'));
  return out;
}

/** Migrates `file`, applies the ExternalSecret in the test's namespace, returns the Secret ESO made. */
async function migrateAndSync(file: string, extra: string[] = []): Promise<{ name: string; type: string; data: Map<string, Buffer> }> {
  const r = await ksec(['eso', 'migrate', '-f', file, '--path', PREFIX, '--store', STORE, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/created AWS secret|updated AWS secret/);
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  const [es] = docs(r.stdout);
  es!.metadata.namespace = ns; // the ExternalSecret keeps the original's namespace; this controller serves the test's
  await k.apply([es!]);
  const status = await waitFor(
    () => k.status('ExternalSecret', es!.metadata.name, ns),
    (s) => ready(s)?.status === 'True' || ready(s)?.reason === 'SecretSyncedError',
    `ExternalSecret ${es!.metadata.name}`,
    90_000,
  );
  expect(ready(status), `${ready(status)?.message}\n${eso?.raw.slice(-2000)}`).toMatchObject({ status: 'True' });
  const secret = (await k.secrets(ns)).get((es!.spec as { target: { name: string } }).target.name)!;
  return { name: es!.metadata.name, type: secret.type, data: secret.data };
}

function expectEqual(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, want] of expected) expect(actual.get(key)!.equals(want), `key ${key}`).toBe(true);
}

beforeAll(async () => {
  bed = testbed();
  k = new Cluster(bed);
  await installEsoCrds(bed);
  ns = await k.namespace('ksec-esomig');
  await k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-creds' }, stringData: { 'access-key-id': 'AKIAKSECE2E', 'secret-access-key': 'ksec-e2e' } } as Obj], ns);
  const store = await ksec(['eso', 'store', '--name', STORE, '--region', 'us-east-1', '--auth', 'secret-ref', '--secret-name', 'aws-creds', '--secret-namespace', ns]);
  expect(store.code, store.stderr).toBe(0);
  await k.apply(docs(store.stdout));
  eso = await EsoController.start(bed, { namespace: ns });
  await waitFor(() => k.status('ClusterSecretStore', STORE), (s) => ready(s)?.status === 'True', `ClusterSecretStore ${STORE} ready`);
}, 600_000);

afterAll(async () => {
  await tearDownEso(bed, eso, ns, STORE);
});

describe('ESO recreates migrated Secrets equal to the originals', () => {
  it('a committed Secret: binary key, empty value, its own type', async () => {
    const work = await mkdtemp(join(tmpdir(), 'ksec-eso-migrate-'));
    const original = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `plain-${run}`, namespace: 'prod' },
      type: 'example.com/custom',
      data: {
        'tls.bin': Buffer.concat([Buffer.from([0xff, 0x00, 0xfe, 0x80]), randomBytes(32)]).toString('base64'),
        password: Buffer.from(`pw ${CANARY} ✓\n`).toString('base64'),
        empty: '',
      },
      stringData: { 'config.json': JSON.stringify({ a: 1, b: CANARY }) },
    };
    const file = join(work, 'secret.yaml');
    await writeFile(file, toYaml(original));
    const got = await migrateAndSync(file);
    expect(got.type).toBe('example.com/custom');
    expectEqual(got.data, bytesOf(original));
  });

  it('a dockerconfigjson Secret keeps its type', async () => {
    const work = await mkdtemp(join(tmpdir(), 'ksec-eso-migrate-'));
    const config = JSON.stringify({ auths: { 'registry.invalid': { auth: Buffer.from(`u:${CANARY}`).toString('base64') } } });
    const original = { apiVersion: 'v1', kind: 'Secret', metadata: { name: `registry-${run}` }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': config } };
    const file = join(work, 'registry.yaml');
    await writeFile(file, toYaml(original));
    const got = await migrateAndSync(file);
    expect(got.type).toBe('kubernetes.io/dockerconfigjson');
    expectEqual(got.data, bytesOf(original));
  });

  it('a SOPS-encrypted Secret equals what `sops -d` gives', async () => {
    const keyFile = 'test/fixtures/sops/demo-age-key-1.txt';
    const decrypted = await bed.exec('sops', ['-d', 'test/fixtures/sops/secret.enc.yaml'], { env: { SOPS_AGE_KEY_FILE: keyFile } });
    const original = parse(decrypted.stdout) as { type?: string; data?: Record<string, string>; stringData?: Record<string, string> };
    const got = await migrateAndSync('test/fixtures/sops/secret.enc.yaml', ['--age-key-file', keyFile]);
    expect(got.type).toBe(original.type ?? 'Opaque');
    expectEqual(got.data, bytesOf(original));
  });

  it('a SealedSecret equals what `kubeseal --recovery-unseal` gives', async () => {
    const key = 'examples/keys/demo-sealed-secrets.key';
    const sealed = 'examples/secrets/app-secret.sealed.yaml';
    const { readFile } = await import('node:fs/promises');
    const unsealed = await bed.exec('kubeseal', ['--recovery-unseal', '--recovery-private-key', key, '-o', 'yaml'], { input: await readFile(sealed) });
    const original = parse(unsealed.stdout) as { type?: string; data?: Record<string, string> };
    const got = await migrateAndSync(sealed, ['--private-key', key]);
    expect(got.type).toBe(original.type ?? 'Opaque');
    expectEqual(got.data, bytesOf(original));
  });
});
