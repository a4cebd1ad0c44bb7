/** `ksec reencrypt` as a user runs it (the built CLI; `npm run -s build` first). */
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from '../../src/manifest/write.js';
import { selfSignedCertificate } from '../../src/seal/keys.js';
import { KeyRing, unsealSealedSecret } from '../../src/seal/unseal.js';
import { runKsec } from '../helpers/run-ksec.js';
import { CANARY, cliFixture, seal, type CliFixture } from '../unit/seal/unseal-fixture.js';

let fx: CliFixture;

beforeAll(async () => {
  fx = await cliFixture();
});

const opensWith = (text: string, key: CliFixture['keyA']) =>
  text
    .split(/^---$/m)
    .filter((d) => d.trim())
    .map((d) => Buffer.from(unsealSealedSecret(parse(d), new KeyRing([key])).data!.password!, 'base64').toString());

describe('ksec reencrypt', { timeout: 60_000 }, () => {
  it('prints the files re-sealed for the new cert, and reports counts on stderr', async () => {
    const a = await fx.write('print/a.yaml', toYaml(seal({ key: fx.keyA, data: { password: CANARY }, name: 'a' })));
    const b = await fx.write('print/b.yaml', toYaml(seal({ key: fx.keyA, data: { password: CANARY }, name: 'b', scope: 'namespace-wide' })));
    const r = await runKsec(['reencrypt', '-f', a, '-f', b, '--private-key', fx.keyAFile, '--cert', fx.certBFile]);
    expect(r.code).toBe(0);
    expect(opensWith(r.stdout, fx.keyB)).toEqual([CANARY, CANARY]);
    expect(r.stderr).toMatch(/^re-sealed 2 value\(s\) in 2 SealedSecret\(s\) for SHA256:/);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(await readFile(a, 'utf8')).toBe(toYaml(parse(await readFile(a, 'utf8'))));
  });

  it('rewrites files in place with -w, keeping comments, and a second run changes nothing', async () => {
    const text = `# prod database\n${toYaml(seal({ key: fx.keyA, data: { password: CANARY } }))}`;
    const file = await fx.write('inplace/db.yaml', text);
    const r = await runKsec(['reencrypt', '-f', `${fx.dir}/inplace`, '--private-key', fx.keyAFile, '--cert', fx.certBFile, '--in-place']);
    expect([r.code, r.stdout]).toEqual([0, '']);
    const after = await readFile(file, 'utf8');
    expect(after.startsWith('# prod database\n')).toBe(true);
    expect(after).not.toBe(text);
    expect(opensWith(after, fx.keyB)).toEqual([CANARY]);
    const again = await runKsec(['reencrypt', '-f', file, '--private-key', fx.keyAFile, '--private-key', fx.keyBFile, '--cert', fx.certBFile, '--in-place']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/re-sealed 0 value\(s\) in 1 SealedSecret\(s\).*1 already sealed for it, left unchanged; 0 file\(s\) rewritten/);
    expect(await readFile(file, 'utf8')).toBe(after);
  });

  it('writes nothing when any value does not open (exit 2, one line)', async () => {
    const ok = await fx.write('fail/ok.yaml', toYaml(seal({ key: fx.keyA, data: { password: CANARY }, name: 'ok' })));
    const bad = await fx.write('fail/bad.yaml', toYaml(seal({ key: fx.keyB, data: { password: CANARY }, name: 'bad' })));
    const before = await readFile(ok, 'utf8');
    const r = await runKsec(['reencrypt', '-f', ok, '-f', bad, '--private-key', fx.keyAFile, '--cert', fx.certBFile, '--in-place']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fail\/bad.yaml: SealedSecret\/prod\/bad: encryptedData.password: none of the 1 private key/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readFile(ok, 'utf8')).toBe(before);
  });

  it('refuses an expired new cert, stdin with -w, a missing --cert and files without SealedSecrets', async () => {
    const file = await fx.write('refuse/a.yaml', toYaml(seal({ key: fx.keyA, data: { password: CANARY } })));
    const expired = await fx.write(
      'expired.crt',
      selfSignedCertificate(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, { now: new Date('2020-01-01'), validForMs: 86_400_000 }),
    );
    for (const [args, message] of [
      [['reencrypt', '-f', file, '--private-key', fx.keyAFile, '--cert', expired], /expired\.crt: failed to encrypt using an expired certificate/],
      [['reencrypt', '--private-key', fx.keyAFile, '--cert', fx.certBFile, '--in-place'], /--in-place needs files/],
      [['reencrypt', '-f', file, '--private-key', fx.keyAFile], /required option '--cert/],
      [['reencrypt', '-f', fx.backupAFile, '--private-key', fx.keyAFile, '--cert', fx.certBFile], /no SealedSecret found/],
    ] as const) {
      const r = await runKsec([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--help shows every flag and examples', async () => {
    const r = await runKsec(['reencrypt', '--help']);
    for (const flag of ['--file', '--cert', '--private-key', '--recovery-private-key', '--in-place', '--namespace', 'Examples:']) expect(r.stdout).toContain(flag);
  });
});
