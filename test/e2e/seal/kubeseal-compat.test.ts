/**
 * Cross-implementation tests of the offline half of sealing against the real
 * kubeseal v0.36.6 of the test bed:
 *
 * - `ksec keygen` makes a key pair; `kubeseal --cert` accepts its certificate;
 * - 1,000 generated Secrets (binary, unicode and empty values, 1 to 200 keys,
 *   all three scopes, with and without a namespace for cluster-wide) sealed by
 *   ksec are unsealed by `kubeseal --recovery-unseal --recovery-private-key`,
 *   and sealed by kubeseal are unsealed and validated by ksec: zero mismatches;
 * - `ksec reencrypt` output is unsealed by kubeseal with the new key;
 * - the bed's real controller: its certificate through `ksec cert --fetch`,
 *   its key backup (the List kubectl prints) read by `ksec unseal`.
 *
 * Values are compared as bytes and never printed: a mismatch names the
 * object and key only.
 */
import { execFile } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parsePrivateKeys } from '../../../src/seal/keys.js';
import { publicKeyFingerprint } from '../../../src/seal/cert.js';
import { toYaml } from '../../../src/manifest/write.js';
import { parseManifestText } from '../../../src/manifest/read.js';
import { mulberry32 } from '../../helpers/prng.js';
import { runKsec } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { toolsDir } from '../testbed/versions.js';

const SECRETS = 1000;
const CANARY = `canary-compat-${randomBytes(4).toString('hex')}`;

const UNICODE = ['ü', 'ñ', 'é', '✓', '秘', '密', '🔐', '🦀', 'Ж', 'ا', '\u0301', ' ', '\n', '\t', '"', "'", ':', '#', '{', '-'];
const SCOPES = ['strict', 'namespace-wide', 'cluster-wide'] as const;

interface Generated {
  secret: Record<string, unknown>;
  /** the bytes every key must unseal to */
  expected: Map<string, Buffer>;
  ref: string;
}

function generate(count: number, seed: number): Generated[] {
  const rand = mulberry32(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const out: Generated[] = [];
  for (let i = 0; i < count; i++) {
    const scope = SCOPES[i % 3]!;
    const name = `s-${i}`;
    const namespace = scope === 'cluster-wide' && i % 30 === 2 ? undefined : `ns-${i % 7}`;
    // mostly small Secrets, every 100th at the 200-key maximum, the 1-key minimum often
    const keys = i % 100 === 0 ? 200 : i % 10 === 1 ? 1 : 1 + int(5);
    const data: Record<string, string> = {};
    const stringData: Record<string, string> = {};
    const expected = new Map<string, Buffer>();
    for (let k = 0; k < keys; k++) {
      const key = `k${k}.${['a', 'B', '_', '-'][k % 4]}`;
      const kind = int(10);
      let value: Buffer;
      if (kind < 2) value = Buffer.alloc(0); // empty
      else if (kind < 5) value = randomBytes(int(i % 50 === 0 ? 4096 : 64) + 1); // binary
      else value = Buffer.from(Array.from({ length: 1 + int(40) }, () => UNICODE[int(UNICODE.length)]).join('') + (k === 0 ? CANARY : ''), 'utf8');
      if (kind >= 8) stringData[key] = value.toString('utf8');
      else data[key] = value.toString('base64');
      expected.set(key, value);
    }
    const annotations = scope === 'strict' ? {} : { [`sealedsecrets.bitnami.com/${scope}`]: 'true' };
    const secret: Record<string, unknown> = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, ...(namespace ? { namespace } : {}), labels: { gen: String(seed) }, annotations },
      type: 'Opaque',
      data,
      ...(Object.keys(stringData).length ? { stringData } : {}),
    };
    out.push({ secret, expected, ref: `${namespace ?? ''}/${name}` });
  }
  return out;
}

interface SecretOut {
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string | null>;
}

/** Names of objects/keys whose unsealed bytes differ (never the values). */
function mismatches(generated: Generated[], unsealed: SecretOut[]): string[] {
  const byRef = new Map(unsealed.map((s) => [`${s.metadata?.namespace ?? ''}/${s.metadata?.name}`, s]));
  const out: string[] = [];
  for (const g of generated) {
    const got = byRef.get(g.ref);
    if (!got) {
      out.push(`${g.ref}: missing`);
      continue;
    }
    const keys = Object.keys(got.data ?? {});
    if (keys.length !== g.expected.size) out.push(`${g.ref}: ${keys.length} keys, expected ${g.expected.size}`);
    for (const [key, value] of g.expected) {
      const b64 = got.data?.[key];
      // kubeseal --recovery-unseal prints an empty value as null (Go's nil []byte)
      if (b64 === undefined || !Buffer.from(b64 ?? '', 'base64').equals(value)) out.push(`${g.ref}: key ${key} differs`);
    }
  }
  return out;
}

/** Runs a tool; rejects with its stderr (which never holds a value: kubeseal prints none). */
function execTool(cmd: string, args: string[], input?: string | Buffer): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve({ stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

/** Runs `fn` over items with at most `limit` running at once. */
async function parallel<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
    }),
  );
  return results;
}

const documents = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((v) => v !== null);

/** Concatenated JSON objects (-o json of several objects), read as ksec reads any manifest. */
const jsonObjects = (text: string) => parseManifestText(text, 'out.json').documents.map((d) => d.value as SecretOut);

describe('ksec offline sealing against the real kubeseal', { timeout: 900_000 }, () => {
  // kubeseal comes from the bed's tools dir; only the last test needs the running bed (its controller)
  const kubeseal = join(toolsDir(), 'kubeseal');
  const exec = (args: string[], opts: { input?: string | Buffer } = {}) => execTool(kubeseal, args, opts.input);
  const work = mkdtempSync(join(tmpdir(), 'ksec-e2e-compat-'));
  const generated = generate(SECRETS, 20261127);
  const secretsFile = join(work, 'secrets.yaml');
  // kubeseal gets the same Secrets as JSON: its YAML reader silently drops a document whose block
  // scalar starts with a tab ("no secrets found" when it was the only one), which says nothing about sealing
  const secretsJson = join(work, 'secrets.json');
  let keyFile: string;
  let certFile: string;

  beforeAll(async () => {
    writeFileSync(secretsFile, generated.map((g) => toYaml(g.secret)).join('---\n'));
    writeFileSync(secretsJson, generated.map((g) => JSON.stringify(g.secret, null, 2)).join('\n'));
    const r = await runKsec(['keygen', '--out-dir', join(work, 'keys'), '--name', 'compat']);
    expect(r.code, r.stderr).toBe(0);
    keyFile = join(work, 'keys', 'compat.key');
    certFile = join(work, 'keys', 'compat.crt');
  });

  it('generates what the issue asks for: 1,000 Secrets, 1 to 200 keys, binary/unicode/empty values, three scopes', () => {
    const sizes = generated.map((g) => g.expected.size);
    expect(generated).toHaveLength(SECRETS);
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBe(200);
    const values = generated.flatMap((g) => [...g.expected.values()]);
    expect(values.some((v) => v.length === 0)).toBe(true);
    expect(values.some((v) => !Buffer.from(v.toString('utf8'), 'utf8').equals(v))).toBe(true); // not valid UTF-8
    expect(values.some((v) => /[^\x00-\x7f]/.test(v.toString('utf8')))).toBe(true);
  });

  it('ksec seal -> kubeseal --recovery-unseal: zero mismatches', async () => {
    const sealed = await runKsec(['seal', '--cert', certFile, '-f', secretsFile, '-o', 'yaml']);
    expect(sealed.code, sealed.stderr).toBe(0);
    expect(sealed.stdout).not.toContain(CANARY);
    const objects = documents(sealed.stdout);
    expect(objects).toHaveLength(SECRETS);
    const unsealed = await parallel(objects, 2, async (ss) => {
      const r = await exec(['--recovery-unseal', '--recovery-private-key', keyFile, '-o', 'json'], { input: JSON.stringify(ss) });
      return JSON.parse(r.stdout) as SecretOut;
    });
    expect(mismatches(generated, unsealed)).toEqual([]);
  });

  it('kubeseal --cert (ksec keygen\'s certificate) -> ksec unseal and ksec validate: zero mismatches, all valid', async () => {
    const sealed = await exec(['--cert', certFile, '-o', 'yaml'], { input: readFileSync(secretsJson) });
    expect(sealed.stdout).not.toContain(CANARY);
    const sealedFile = join(work, 'kubeseal-sealed.yaml');
    writeFileSync(sealedFile, sealed.stdout);
    expect(documents(sealed.stdout)).toHaveLength(SECRETS);

    const r = await runKsec(['unseal', '-f', sealedFile, '--recovery-private-key', keyFile, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const unsealed = jsonObjects(r.stdout);
    expect(unsealed).toHaveLength(SECRETS);
    expect(mismatches(generated, unsealed)).toEqual([]);

    const v = await runKsec(['validate', '-f', sealedFile, '--cert', certFile, '--private-key', keyFile]);
    expect([v.code, v.stdout]).toEqual([0, '']);
    expect(v.stderr).toContain(`${SECRETS} SealedSecret(s) checked (structure + cert + decrypt): 0 invalid`);
  });

  it('ksec reencrypt of kubeseal output -> kubeseal --recovery-unseal with the new key', async () => {
    const sample = generated.filter((_, i) => i % 25 === 0);
    const sampleFile = join(work, 'sample.json');
    writeFileSync(sampleFile, sample.map((g) => JSON.stringify(g.secret)).join('\n'));
    const sealed = await exec(['--cert', certFile, '-o', 'yaml'], { input: readFileSync(sampleFile) });
    writeFileSync(join(work, 'sample-sealed.yaml'), sealed.stdout);
    expect((await runKsec(['keygen', '--out-dir', join(work, 'keys'), '--name', 'next'])).code).toBe(0);
    const rotated = await runKsec([
      'reencrypt',
      '-f',
      join(work, 'sample-sealed.yaml'),
      '--private-key',
      keyFile,
      '--cert',
      join(work, 'keys', 'next.crt'),
    ]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const unsealed = await parallel(documents(rotated.stdout), 2, async (ss) => {
      const r = await exec(['--recovery-unseal', '--recovery-private-key', join(work, 'keys', 'next.key'), '-o', 'json'], {
        input: JSON.stringify(ss),
      });
      return JSON.parse(r.stdout) as SecretOut;
    });
    expect(mismatches(sample, unsealed)).toEqual([]);
    await expect(
      exec(['--recovery-unseal', '--recovery-private-key', keyFile, '-o', 'json'], { input: JSON.stringify(documents(rotated.stdout)[0]) }),
    ).rejects.toThrow();
  });

  it('the real controller: ksec cert --fetch matches its key backup, which ksec unseal reads as kubectl prints it', async () => {
    const bed: Testbed = testbed();
    const ss = bed.sealedSecrets;
    const list = await bed.request(
      'GET',
      `/api/v1/namespaces/${ss.controllerNamespace}/secrets?labelSelector=${encodeURIComponent('sealedsecrets.bitnami.com/sealed-secrets-key')}`,
    );
    expect(list.status).toBe(200);
    const items = (list.json<{ items: Record<string, unknown>[] }>().items ?? []).map((s) => ({ apiVersion: 'v1', kind: 'Secret', ...s }));
    expect(items.length).toBeGreaterThan(0);
    const backupFile = join(work, 'controller-keys.yaml');
    writeFileSync(backupFile, toYaml({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }), { mode: 0o600 });

    const fetched = await runKsec(
      ['cert', '--fetch', '--controller-name', ss.controllerName, '--controller-namespace', ss.controllerNamespace, '-o', 'json'],
      { env: bed.env },
    );
    expect(fetched.code, fetched.stderr).toBe(0);
    const keyFingerprints = parsePrivateKeys(readFileSync(backupFile, 'utf8'), backupFile).map((k) => publicKeyFingerprint(createPublicKey(k.key)));
    expect(keyFingerprints).toContain(JSON.parse(fetched.stdout).fingerprint);

    const pem = await runKsec(['cert', '--fetch', '--controller-name', ss.controllerName, '--controller-namespace', ss.controllerNamespace, '-o', 'pem'], {
      env: bed.env,
    });
    const controllerCert = join(work, 'controller.crt');
    writeFileSync(controllerCert, pem.stdout);
    const one = generated.slice(0, 3);
    const sealed = await exec(['--cert', controllerCert, '-o', 'yaml'], { input: one.map((g) => JSON.stringify(g.secret)).join('\n') });
    writeFileSync(join(work, 'controller-sealed.yaml'), sealed.stdout);
    const r = await runKsec(['unseal', '-f', join(work, 'controller-sealed.yaml'), '--private-key', backupFile, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(mismatches(one, jsonObjects(r.stdout))).toEqual([]);
  });
});
