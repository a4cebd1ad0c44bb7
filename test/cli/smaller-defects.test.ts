/** Issue 19 point 8's smaller defects, through the built CLI. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../src/manifest/write.js';
import { selfSignedCertificate } from '../../src/seal/keys.js';
import { runKsec } from '../helpers/run-ksec.js';
import { cliFixture, seal } from '../unit/seal/unseal-fixture.js';
import { FIXTURES } from '../unit/sops/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ksec-defects-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('smaller defects', { timeout: 60_000 }, () => {
  it('eso migrate --dry-run refuses invalid base64 in data (exit 2), naming the key only', async () => {
    const path = file('bad64.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\ndata:\n  token: "c2VjcmV0!!"\n  ok: b2s=\n');
    const r = await runKsec(['eso', 'migrate', '-f', path, '--path', 'app', '--store', 'aws', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/data\.token is not valid base64/);
    expect(r.stderr + r.stdout).not.toContain('c2VjcmV0');
    const good = file('good64.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\ndata:\n  token: |\n    c2Vj\n    cmV0\n');
    expect((await runKsec(['eso', 'migrate', '-f', good, '--path', 'app', '--store', 'aws', '--dry-run'])).code).toBe(0);
  });

  it('validate --cert with an expired certificate warns', async () => {
    const fx = await cliFixture();
    const expired = await fx.write('expired.pem', selfSignedCertificate(fx.keyA, { now: new Date('2020-01-01T00:00:00Z'), validForMs: 86_400_000 }));
    const sealed = await fx.write('s.yaml', toYaml(seal({ key: fx.keyA, data: { k: 'v' } })));
    const r = await runKsec(['validate', '-f', sealed, '--cert', expired]);
    expect(r.stderr).toMatch(/^warning: the certificate .*expired\.pem expired on 2020-01-02/m);
    expect(r.code).toBe(0); // the SealedSecret itself is fine
    const current = await runKsec(['validate', '-f', sealed, '--cert', fx.certAFile]);
    expect(current.stderr).not.toMatch(/warning/);
  });

  it('sops status: a truncated MAC is not "ok"', async () => {
    const text = readFileSync(join(FIXTURES, 'secret.enc.yaml'), 'utf8');
    // cut the MAC's data to a shorter, still well-formed base64 value
    const truncated = text.replace(/(mac: ENC\[AES256_GCM,data:)([A-Za-z0-9+/=]+)/, (_m, head: string, data: string) => head + data.slice(0, 64));
    expect(truncated).not.toBe(text);
    const r = await runKsec(['sops', 'status', file('truncated.enc.yaml', truncated)]);
    expect(r.stdout).not.toMatch(/\bok\b/);
    expect(r.stdout).toMatch(/mac-invalid|MAC is truncated/);
    expect(r.code).not.toBe(0);
    const intact = await runKsec(['sops', 'status', join(FIXTURES, 'secret.enc.yaml')]);
    expect(intact.stdout).toMatch(/\bok\b/);
  });
});
