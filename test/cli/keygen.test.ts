/** `ksec keygen` as a user runs it (the built CLI; `npm run -s build` first). */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from '../../src/manifest/write.js';
import { runKsec } from '../helpers/run-ksec.js';
import { CANARY } from '../unit/seal/unseal-fixture.js';

const tmp = () => mkdtemp(join(tmpdir(), 'ksec-keygen-'));

describe('ksec keygen', { timeout: 120_000 }, () => {
  it('writes an RSA-4096 key (0600), its certificate and the tls Secret (0600) into a new 0700 directory', async () => {
    const out = join(await tmp(), 'keys');
    const r = await runKsec(['keygen', '--out-dir', out]);
    expect(r.code).toBe(0);
    const names = (await readdir(out)).sort();
    expect(names).toHaveLength(3);
    const base = names[0]!.replace(/\.\w+$/, '');
    expect(base).toMatch(/^sealed-secrets-key-[0-9a-f]{8}$/);
    expect(names).toEqual([`${base}.crt`, `${base}.key`, `${base}.yaml`]);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
    expect((await stat(join(out, `${base}.key`))).mode & 0o777).toBe(0o600);
    expect((await stat(join(out, `${base}.yaml`))).mode & 0o777).toBe(0o600);
    expect((await stat(join(out, `${base}.crt`))).mode & 0o777).toBe(0o644);
    const cert = new X509Certificate(await readFile(join(out, `${base}.crt`)));
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    const secret = parse(await readFile(join(out, `${base}.yaml`), 'utf8'));
    expect(secret).toMatchObject({
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: base, namespace: 'kube-system', labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'active' } },
    });
    expect(r.stderr).toMatch(/fingerprint  SHA256:/);
    expect(r.stdout).toBe('');
  });

  it('honours --name, --namespace, --key-size, --key-ttl and --my-cn', async () => {
    const out = await tmp();
    const r = await runKsec(['keygen', '--out-dir', out, '--name', 'my-key', '-n', 'sealed-secrets', '--key-size', '2048', '--key-ttl', '720h', '--my-cn', 'sealed-secret']);
    expect(r.code).toBe(0);
    const cert = new X509Certificate(await readFile(join(out, 'my-key.crt')));
    expect(cert.subject).toBe('CN=sealed-secret');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 3_600_000).toBe(720);
    expect(parse(await readFile(join(out, 'my-key.yaml'), 'utf8')).metadata).toMatchObject({ name: 'my-key', namespace: 'sealed-secrets' });
  });

  it('produces a key that seals (ksec seal --cert) and unseals (key file and Secret backup)', async () => {
    const out = await tmp();
    expect((await runKsec(['keygen', '--out-dir', out, '--name', 'k', '--key-size', '2048'])).code).toBe(0);
    const secret = toYaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, stringData: { v: CANARY } });
    const sealed = await runKsec(['seal', '--cert', join(out, 'k.crt'), '-o', 'yaml'], { stdin: secret });
    expect(sealed.code).toBe(0);
    for (const key of ['k.key', 'k.yaml']) {
      const r = await runKsec(['unseal', '--private-key', join(out, key), '--data-key', 'v'], { stdin: sealed.stdout });
      expect([r.code, r.stdout]).toEqual([0, CANARY]);
    }
  });

  it('refuses to overwrite without --force, and overwrites with it', async () => {
    const out = await tmp();
    expect((await runKsec(['keygen', '--out-dir', out, '--name', 'k', '--key-size', '2048'])).code).toBe(0);
    const before = await readFile(join(out, 'k.key'), 'utf8');
    const again = await runKsec(['keygen', '--out-dir', out, '--name', 'k', '--key-size', '2048']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/k\.key: file exists \(pass --force/);
    expect(await readFile(join(out, 'k.key'), 'utf8')).toBe(before);
    expect((await runKsec(['keygen', '--out-dir', out, '--name', 'k', '--key-size', '2048', '--force'])).code).toBe(0);
    expect(await readFile(join(out, 'k.key'), 'utf8')).not.toBe(before);
  });

  it('refuses bad flags with exit 2 and writes nothing', async () => {
    const out = join(await tmp(), 'never');
    for (const [args, message] of [
      [['--key-ttl', '10 years'], /invalid duration "10 years"/],
      [['--key-size', '1024'], /invalid --key-size "1024"/],
      [['--key-size', 'big'], /invalid --key-size "big"/],
      [['--name', 'Not_A_Name'], /invalid --name "Not_A_Name"/],
    ] as const) {
      const r = await runKsec(['keygen', '--out-dir', out, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    await expect(stat(out)).rejects.toThrow();
    expect((await runKsec(['keygen'])).stderr).toMatch(/required option '--out-dir/);
  });

  it('--help shows every flag and examples', async () => {
    const r = await runKsec(['keygen', '--help']);
    for (const flag of ['--out-dir', '--name', '--namespace', '--key-size', '--key-ttl', '--my-cn', '--force', 'Examples:']) expect(r.stdout).toContain(flag);
  });
});
