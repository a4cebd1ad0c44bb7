/** `ksec unseal` as a user runs it (the built CLI; `npm run -s build` first). */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from '../../src/manifest/write.js';
import { runKsec } from '../helpers/run-ksec.js';
import { CANARY, cliFixture, seal, type CliFixture } from '../unit/seal/unseal-fixture.js';

let fx: CliFixture;
let sealedFile: string;

beforeAll(async () => {
  fx = await cliFixture();
  sealedFile = await fx.write('db-sealed.yaml', toYaml(seal({ key: fx.keyA, data: { password: CANARY, user: 'admin' } })));
});

const expectBadInput = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr + r.stdout).not.toContain(CANARY);
};

describe('ksec unseal', { timeout: 60_000 }, () => {
  it('prints the Secret as YAML by default', async () => {
    const r = await runKsec(['unseal', '-f', sealedFile, '--private-key', fx.keyAFile]);
    expect(r.code).toBe(0);
    const secret = parse(r.stdout);
    expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'prod' }, type: 'Opaque' });
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe(CANARY);
    expect(r.stderr).toBe('');
  });

  it('prints JSON with -o json, and reads stdin without -f', async () => {
    const r = await runKsec(['unseal', '--private-key', fx.keyAFile, '-o', 'json'], { stdin: await readFile(sealedFile) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).data.user).toBe(Buffer.from('admin').toString('base64'));
  });

  it('prints only the raw value with --data-key, several one per line', async () => {
    const one = await runKsec(['unseal', '-f', sealedFile, '--private-key', fx.keyAFile, '--data-key', 'password']);
    expect(one.stdout).toBe(CANARY);
    const two = await runKsec(['unseal', '-f', sealedFile, '--private-key', fx.keyAFile, '--data-key', 'user', '--data-key', 'password']);
    expect(two.stdout).toBe(`admin\n${CANARY}\n`);
  });

  it('refuses a --data-key the Secret does not have, listing the keys', async () => {
    const r = await runKsec(['unseal', '-f', sealedFile, '--private-key', fx.keyAFile, '--data-key', 'nope']);
    expectBadInput(r);
    expect(r.stderr).toMatch(/Secret\/prod\/db: the Secret has no key "nope" \(keys: password, user\)/);
  });

  it('accepts --recovery-private-key, comma lists, several keys and key backups', async () => {
    for (const args of [
      ['--recovery-private-key', fx.keyAFile],
      ['--recovery-private-key', `${fx.keyBFile},${fx.keyAFile}`],
      ['--private-key', fx.keyBFile, '--private-key', fx.backupAFile],
    ]) {
      const r = await runKsec(['unseal', '-f', sealedFile, ...args, '--data-key', 'user']);
      expect([r.code, r.stdout]).toEqual([0, 'admin']);
    }
  });

  it('writes to -w atomically with mode 0600 and nothing on stdout; the format follows the extension', async () => {
    const out = join(fx.dir, 'secret.json');
    const r = await runKsec(['unseal', '-f', sealedFile, '--private-key', fx.keyAFile, '-w', out]);
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(out, 'utf8')).kind).toBe('Secret');
  });

  it('unseals every SealedSecret of several files and a directory', async () => {
    const dir = join(fx.dir, 'more');
    await fx.write('more/a.yaml', toYaml(seal({ key: fx.keyA, data: { a: '1' }, name: 'a' })));
    await fx.write('more/b.yaml', toYaml(seal({ key: fx.keyB, data: { b: '2' }, name: 'b', scope: 'cluster-wide' })));
    const r = await runKsec(['unseal', '-f', dir, '-f', sealedFile, '--private-key', fx.keyAFile, '--private-key', fx.keyBFile]);
    expect(r.code).toBe(0);
    expect(r.stdout.split(/^---$/m).map((d) => parse(d).metadata.name)).toEqual(['a', 'b', 'db']);
  });

  it('uses -n for a SealedSecret without a namespace', async () => {
    const ss = seal({ key: fx.keyA, data: { a: '1' }, namespace: 'team' });
    delete ss.metadata!.namespace;
    const file = await fx.write('nons.yaml', toYaml(ss));
    expectBadInput(await runKsec(['unseal', '-f', file, '--private-key', fx.keyAFile]));
    const r = await runKsec(['unseal', '-f', file, '--private-key', fx.keyAFile, '-n', 'team']);
    expect(r.code).toBe(0);
    expect(parse(r.stdout).metadata.namespace).toBe('team');
  });
});

describe('ksec unseal: bad input is one line, exit 2, nothing written', { timeout: 60_000 }, () => {
  it('the wrong key', async () => {
    const out = join(fx.dir, 'never.yaml');
    const r = await runKsec(['unseal', '-f', sealedFile, '--private-key', fx.keyBFile, '-w', out]);
    expectBadInput(r);
    expect(r.stderr).toMatch(/db-sealed.yaml: SealedSecret\/prod\/db: encryptedData.password: none of the 1 private key\(s\) opens it/);
    await expect(stat(out)).rejects.toThrow();
  });

  it('the wrong namespace', async () => {
    const moved = seal({ key: fx.keyA, data: { password: CANARY }, sealAs: { scope: 'strict', namespace: 'dev', name: 'db' } });
    moved.spec.template!.metadata!.namespace = 'dev';
    const r = await runKsec(['unseal', '-f', await fx.write('moved.yaml', toYaml(moved)), '--private-key', fx.keyAFile]);
    expectBadInput(r);
    expect(r.stderr).toMatch(/sealed for strict scope as "dev\/db", but this SealedSecret unseals as strict scope as "prod\/db"/);
  });

  it('the wrong scope', async () => {
    const ss = seal({ key: fx.keyA, data: { password: CANARY }, scope: 'cluster-wide' });
    delete ss.metadata!.annotations;
    const r = await runKsec(['unseal', '-f', await fx.write('scope.yaml', toYaml(ss)), '--private-key', fx.keyAFile]);
    expectBadInput(r);
    expect(r.stderr).toMatch(/sealed for cluster-wide scope, but this SealedSecret unseals as strict scope/);
  });

  it('a truncated and a tampered value', async () => {
    const ss = seal({ key: fx.keyA, data: { password: CANARY } });
    const raw = Buffer.from(ss.spec.encryptedData!.password!, 'base64');
    ss.spec.encryptedData!.password = raw.subarray(0, 100).toString('base64');
    const cut = await runKsec(['unseal', '-f', await fx.write('cut.yaml', toYaml(ss)), '--private-key', fx.keyAFile]);
    expectBadInput(cut);
    expect(cut.stderr).toMatch(/encryptedData.password: ciphertext too short/);
    raw[raw.length - 3]! ^= 4;
    ss.spec.encryptedData!.password = raw.toString('base64');
    const bad = await runKsec(['unseal', '-f', await fx.write('tampered.yaml', toYaml(ss)), '--private-key', fx.keyAFile]);
    expectBadInput(bad);
    expect(bad.stderr).toMatch(/truncated or tampered with/);
  });

  it('a garbage key file, a missing key file, no key, a missing input, no SealedSecret, a bad format', async () => {
    const garbage = await fx.write('garbage.key', `${CANARY}\n`);
    const cases = [
      [['unseal', '-f', sealedFile, '--private-key', garbage], /garbage.key: no private key found/],
      [['unseal', '-f', sealedFile, '--private-key', join(fx.dir, 'nope.key')], /nope.key: cannot read: no such file/],
      [['unseal', '-f', sealedFile], /no private key given/],
      [['unseal', '-f', join(fx.dir, 'nope.yaml'), '--private-key', fx.keyAFile], /nope.yaml: cannot read: no such file/],
      [['unseal', '-f', fx.backupAFile, '--private-key', fx.keyAFile], /no SealedSecret found/],
      [['unseal', '-f', sealedFile, '--private-key', fx.keyAFile, '-o', 'xml'], /unknown output format "xml"/],
    ] as const;
    for (const [args, message] of cases) {
      const r = await runKsec([...args]);
      expectBadInput(r);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--help shows every flag and examples', async () => {
    const r = await runKsec(['unseal', '--help']);
    for (const flag of ['--file', '--private-key', '--recovery-private-key', '--format', '--data-key', '--write', '--namespace', 'Examples:']) {
      expect(r.stdout).toContain(flag);
    }
  });
});
