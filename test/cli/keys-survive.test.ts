/** Every key survives (issue 19 point 3), through the built CLI: seal -> unseal, --data-key, checksum, scan, eso migrate. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, runKsec } from '../helpers/run-ksec.js';

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '1.5', '15000000000', '0', ''];
const CERT = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.crt');
const KEY = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.key');
const dir = mkdtempSync(join(tmpdir(), 'ksec-keys-'));

function secretFile(name: string, changed?: string): string {
  const lines = KEYS.map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(k === changed ? 'changed' : `value of ${k}`)}`);
  const path = join(dir, name);
  writeFileSync(path, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\nstringData:\n${lines.join('\n')}\n`);
  return path;
}

describe('every key survives', { timeout: 120_000 }, () => {
  it('seal, then unseal with and without --data-key', async () => {
    const sealed = join(dir, 'sealed.yaml');
    expect((await runKsec(['seal', '-f', secretFile('s.yaml'), '--cert', CERT, '-w', sealed])).code).toBe(0);
    const r = await runKsec(['unseal', '-f', sealed, '--private-key', KEY]);
    expect(r.code).toBe(0);
    const data = parse(r.stdout).data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual([...KEYS].sort());
    for (const k of KEYS) expect(Buffer.from(Object.getOwnPropertyDescriptor(data, k)!.value as string, 'base64').toString(), k).toBe(`value of ${k}`);
    for (const k of KEYS) {
      const one = await runKsec(['unseal', '-f', sealed, '--private-key', KEY, '--data-key', k]);
      expect(one.code, k).toBe(0);
      expect(one.stdout, k).toBe(`value of ${k}`);
    }
    const missing = await runKsec(['unseal', '-f', sealed, '--private-key', KEY, '--data-key', 'valueOf']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/has no key "valueOf"/);
  });

  it('checksum: a changed value under any key changes the hash', async () => {
    const hash = async (path: string) => (await runKsec(['checksum', path])).stdout;
    const base = await hash(secretFile('base.yaml'));
    expect(base).toMatch(/^Secret\/b\/a [0-9a-f]{64}\n$/);
    const hashes = await Promise.all(KEYS.map((k, i) => hash(secretFile(`c${i}.yaml`, k))));
    expect(new Set([base, ...hashes]).size).toBe(KEYS.length + 1);
  });

  it('scan reports a plaintext value under each key', async () => {
    const r = await runKsec(['scan', secretFile('scan.yaml'), '--format', 'json']);
    const paths = (JSON.parse(r.stdout) as { findings: { message: string }[] }).findings.map((f) => f.message);
    for (const k of KEYS.filter(Boolean)) expect(paths.some((m) => m.includes(`stringData.${k} `)), k).toBe(true);
  });

  it('eso migrate --dry-run lists every key', async () => {
    const r = await runKsec(['eso', 'migrate', '-f', secretFile('eso.yaml'), '--path', 'app', '--store', 'aws', '--dry-run']);
    expect(r.code).toBe(0);
    const keys = (parse(r.stdout).spec.data as { secretKey: string }[]).map((d) => d.secretKey);
    expect(keys.sort()).toEqual([...KEYS].sort());
  });
});
