/**
 * Files written by the real peers pass the scan, and the mistakes people
 * make with them are caught: sops+age (a value added after encryption),
 * kubeseal (a SealedSecret renamed after sealing, seen with --key).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toolsDir } from '../testbed/versions.js';
import { runKsec } from '../../helpers/run-ksec.js';
import { assertNoSecrets } from '../../unit/scan/canary.js';

const tool = (name: string) => {
  const path = join(process.env.KSEC_TESTBED_TOOLS ?? toolsDir(), name);
  if (!existsSync(path)) throw new Error(`${name} is not installed: run npm run -s testbed:install`);
  return path;
};
const CERT = fileURLToPath(new URL('../../../examples/keys/demo-sealed-secrets.crt', import.meta.url));
const KEY = fileURLToPath(new URL('../../../examples/keys/demo-sealed-secrets.key', import.meta.url));
const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\ntype: Opaque\nstringData:\n  username: app\n  password: demo-CANARY-p1\n';

describe('ksec scan on files the real peers wrote', () => {
  it('passes a sops+age encrypted Secret and catches a value added after encryption', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-scan-sops-'));
    const identity = join(dir, 'key.txt');
    execFileSync(tool('age-keygen'), ['-o', identity], { stdio: 'ignore' });
    const recipient = /public key: (age1\S+)/.exec(readFileSync(identity, 'utf8'))![1]!;
    const plain = join(dir, 'secret.yaml');
    writeFileSync(plain, secret);
    const encrypted = execFileSync(tool('sops'), ['encrypt', '--age', recipient, '--encrypted-regex', '^(data|stringData)$', plain], { encoding: 'utf8' });
    const file = join(dir, 'secret.enc.yaml');
    writeFileSync(file, encrypted);

    const clean = await runKsec(['scan', file]);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);

    const edited = encrypted.replace(/^( +)(password: ENC\[.*\])$/m, '$1$2\n$1api-key: demo-CANARY-p2');
    expect(edited).not.toBe(encrypted);
    writeFileSync(file, edited);
    const dirty = await runKsec(['scan', file, '--format', 'json']);
    expect(dirty.code).toBe(1);
    const findings = JSON.parse(dirty.stdout).findings as { rule: string; key: string }[];
    expect(findings.map((f) => [f.rule, f.key])).toEqual([['sops-unencrypted-value', 'stringData.api-key']]);
    assertNoSecrets(dirty.stdout + dirty.stderr);
    // sops agrees the file is no longer what it encrypted: its MAC check fails
    const decrypt = (() => {
      try {
        execFileSync(tool('sops'), ['decrypt', file], { env: { ...process.env, SOPS_AGE_KEY_FILE: identity }, stdio: 'pipe' });
        return 0;
      } catch (err) {
        return (err as { status: number }).status;
      }
    })();
    expect(decrypt).not.toBe(0);
  });

  it('passes a kubeseal SealedSecret, and with --key catches one renamed after sealing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-scan-kubeseal-'));
    const sealed = execFileSync(tool('kubeseal'), ['--cert', CERT, '--format', 'yaml'], { input: secret, encoding: 'utf8' });
    const file = join(dir, 'sealed.yaml');
    writeFileSync(file, sealed);
    const ok = await runKsec(['scan', file, '--key', KEY, '--cert', CERT]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);

    writeFileSync(file, sealed.replaceAll('name: db', 'name: db-renamed'));
    expect((await runKsec(['scan', file])).code).toBe(0); // structurally still fine
    const renamed = await runKsec(['scan', file, '--key', KEY]);
    expect(renamed.code).toBe(1);
    expect(renamed.stdout).toContain('sealed-secret-invalid');
    assertNoSecrets(renamed.stdout + renamed.stderr);
  });
});
