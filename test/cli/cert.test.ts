/** `ksec cert` as a user runs it (the built CLI; `npm run -s build` first). --fetch is covered in e2e. */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFingerprint } from '../../src/seal/cert.js';
import { selfSignedCertificate } from '../../src/seal/keys.js';
import { runKsec } from '../helpers/run-ksec.js';
import { cliFixture, type CliFixture } from '../unit/seal/unseal-fixture.js';

let fx: CliFixture;
let expired: string;

beforeAll(async () => {
  fx = await cliFixture();
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  expired = await fx.write('expired.crt', selfSignedCertificate(key, { now: new Date('2020-01-01T00:00:00Z'), validForMs: 86_400_000, commonName: 'old' }));
});

describe('ksec cert', { timeout: 60_000 }, () => {
  it('prints fingerprint, subject, validity and key size', async () => {
    const r = await runKsec(['cert', '--cert', fx.certAFile]);
    expect(r.code).toBe(0);
    const fp = publicKeyFingerprint(createPublicKey(fx.keyA));
    expect(r.stdout).toContain(`fingerprint: ${fp}\n`);
    expect(r.stdout).toContain('subject:     (empty)\n');
    expect(r.stdout).toMatch(/not after:   \d{4}-\d\d-\d\dT.*\(\d+ day\(s\) left\)\n/);
    expect(r.stdout).toContain('key:         RSA 2048 bits\n');
  });

  it('prints JSON and PEM', async () => {
    const json = JSON.parse((await runKsec(['cert', '--cert', fx.certAFile, '-o', 'json'])).stdout);
    expect(json).toMatchObject({ fingerprint: publicKeyFingerprint(createPublicKey(fx.keyA)), keyType: 'RSA', keyBits: 2048, state: 'valid' });
    const pem = await runKsec(['cert', '--cert', fx.certAFile, '-o', 'pem']);
    expect(pem.stdout).toBe(await readFile(fx.certAFile, 'utf8'));
  });

  it('reads stdin with --cert -', async () => {
    const r = await runKsec(['cert', '--cert', '-', '-o', 'json'], { stdin: await readFile(fx.certBFile) });
    expect(JSON.parse(r.stdout).fingerprint).toBe(publicKeyFingerprint(createPublicKey(fx.keyB)));
  });

  it('still shows an expired certificate, and exits 1', async () => {
    const r = await runKsec(['cert', '--cert', expired]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('subject:     CN=old\n');
    expect(r.stdout).toMatch(/\(expired \d+ day\(s\) ago\)/);
  });

  it('exits 2 for garbage, a missing file, a bad format, and no or both sources; 2 or 3 for an unreachable URL', async () => {
    const garbage = await fx.write('garbage.crt', 'not a cert');
    for (const [args, message] of [
      [['cert', '--cert', garbage], /garbage.crt: not a certificate/],
      [['cert', '--cert', `${fx.dir}/none.crt`], /none.crt: cannot read: no such file/],
      [['cert'], /no certificate given/],
      [['cert', '--cert', fx.certAFile, '--fetch'], /exclude each other/],
      [['cert', '--cert', fx.certAFile, '-o', 'xml'], /unknown output format/],
    ] as const) {
      const r = await runKsec([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const url = await runKsec(['cert', '--cert', 'http://127.0.0.1:9/v1/cert.pem']);
    expect(url.code).toBeGreaterThanOrEqual(2);
    expect(url.stderr).toMatch(/cannot fetch the certificate/);
  });

  it('--help shows every flag and examples', async () => {
    const r = await runKsec(['cert', '--help']);
    for (const flag of ['--cert', '--fetch', '--controller-name', '--controller-namespace', '--kubeconfig', '--context', '--format', 'Examples:']) {
      expect(r.stdout).toContain(flag);
    }
  });
});
