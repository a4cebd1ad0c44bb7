/** `ksec validate` as a user runs it (the built CLI; `npm run -s build` first). */
import { beforeAll, describe, expect, it } from 'vitest';
import { toYaml } from '../../src/manifest/write.js';
import { runKsec } from '../helpers/run-ksec.js';
import { CANARY, cliFixture, seal, type CliFixture } from '../unit/seal/unseal-fixture.js';

let fx: CliFixture;
let good: string;
let broken: string;

beforeAll(async () => {
  fx = await cliFixture();
  good = await fx.write('good.yaml', toYaml(seal({ key: fx.keyA, data: { password: CANARY } })));
  const bad = seal({ key: fx.keyA, data: { password: CANARY, token: CANARY }, name: 'api' });
  bad.spec.encryptedData!.token = Buffer.from(bad.spec.encryptedData!.token!, 'base64').subarray(0, 50).toString('base64');
  bad.spec.template!.metadata!.annotations = { 'sealedsecrets.bitnami.com/cluster-wide': 'true' };
  broken = await fx.write('dir/broken.yaml', `# a comment\n${toYaml(bad)}`);
});

describe('ksec validate', { timeout: 60_000 }, () => {
  it('exits 0 for valid SealedSecrets and says what it checked', async () => {
    const r = await runKsec(['validate', '-f', good, '--cert', fx.certAFile, '--private-key', fx.keyAFile]);
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toBe('1 SealedSecret(s) checked (structure + cert + decrypt): 0 invalid\n');
  });

  it('exits 1 naming file:line, object, key and code for each problem', async () => {
    const r = await runKsec(['validate', '-f', good, '-f', `${fx.dir}/dir`]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/dir\/broken.yaml:2: SealedSecret\/prod\/api: metadata declares strict scope but spec.template.metadata declares cluster-wide.*\[scope-mismatch\]$/),
      expect.stringMatching(/dir\/broken.yaml:2: SealedSecret\/prod\/api: encryptedData.token: the length prefix says 256 RSA bytes.*\[truncated\]$/),
    ]);
    expect(r.stderr).toBe('2 SealedSecret(s) checked (structure): 1 invalid\n');
    expect(r.stdout + r.stderr).not.toContain(CANARY);
  });

  it('checks the modulus against --cert and decryption against --private-key', async () => {
    const big = await fx.write('big.yaml', toYaml(seal({ key: (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey, data: { a: CANARY } })));
    const cert = await runKsec(['validate', '-f', big, '--cert', fx.certAFile]);
    expect(cert.code).toBe(1);
    expect(cert.stdout).toMatch(/encryptedData.a: sealed with a 3072-bit key, but the certificate has a 2048-bit key \[rsa-length-mismatch\]/);
    const keys = await runKsec(['validate', '-f', good, '--recovery-private-key', fx.keyBFile]);
    expect(keys.code).toBe(1);
    expect(keys.stdout).toMatch(/encryptedData.password: none of the 1 private key\(s\) opens it as strict scope as "prod\/db" \[decrypt-failed\]/);
  });

  it('prints a JSON report with -o json', async () => {
    const r = await runKsec(['validate', '-f', broken, '-o', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ checked: 1, invalid: 1 });
    expect(report.results[0].problems.map((p: { code: string }) => p.code)).toEqual(['scope-mismatch', 'truncated']);
    expect(report.results[0].problems[1].key).toBe('token');
  });

  it('reads stdin and takes -n for objects without a namespace', async () => {
    const ss = seal({ key: fx.keyA, data: { a: CANARY }, namespace: 'team' });
    delete ss.metadata!.namespace;
    const r = await runKsec(['validate', '--private-key', fx.keyAFile, '-n', 'team'], { stdin: toYaml(ss) });
    expect(r.code).toBe(0);
  });

  it('exits 2 on bad input: no SealedSecret, missing file, garbage key, bad cert', async () => {
    const garbage = await fx.write('garbage.pem', 'nothing here');
    for (const [args, message] of [
      [['validate', '-f', fx.backupAFile], /no SealedSecret found/],
      [['validate', '-f', `${fx.dir}/missing.yaml`], /missing.yaml: cannot read: no such file/],
      [['validate', '-f', good, '--private-key', garbage], /garbage.pem: no private key found/],
      [['validate', '-f', good, '--cert', garbage], /garbage.pem: not a certificate/],
    ] as const) {
      const r = await runKsec([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--help shows every flag and examples', async () => {
    const r = await runKsec(['validate', '--help']);
    for (const flag of ['--file', '--cert', '--private-key', '--recovery-private-key', '--namespace', '--format', 'Examples:']) expect(r.stdout).toContain(flag);
  });
});
