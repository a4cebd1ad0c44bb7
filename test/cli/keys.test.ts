/**
 * `ksec keys inventory` and `ksec keys rotate-plan` as a user runs them (the
 * built CLI; `npm run -s build` first), with demo keys made here. The plan is
 * run by sh with `ksec` on PATH, then the inventory proves nothing is left on
 * older keys.
 */
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from '../../src/manifest/write.js';
import { publicKeyFingerprint } from '../../src/seal/cert.js';
import { keySecret, selfSignedCertificate } from '../../src/seal/keys.js';
import { KeyRing, unsealSealedSecret } from '../../src/seal/unseal.js';
import { KSEC_BIN, runKsec } from '../helpers/run-ksec.js';
import { CANARY, seal } from '../unit/seal/unseal-fixture.js';

interface Demo {
  key: KeyObject;
  pem: string;
  cert: string;
  fingerprint: string;
}

const demo = (day: number): Demo => {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return {
    key,
    pem: key.export({ type: 'pkcs1', format: 'pem' }).toString(),
    cert: selfSignedCertificate(key, { now: new Date(`2026-0${day}-01T00:00:00Z`) }),
    fingerprint: publicKeyFingerprint(createPublicKey(key)),
  };
};

let v1: Demo;
let v2: Demo;
let v3: Demo;
let stranger: Demo;
beforeAll(() => {
  [v1, v2, v3, stranger] = [demo(1), demo(2), demo(3), demo(4)];
});

/** A work directory with the controller's key backup (a List, as kubectl prints it) and a tree of SealedSecrets. */
async function workdir(tree: Record<string, unknown[]>, keys: Demo[] = [v1, v2, v3]) {
  const dir = await mkdtemp(join(tmpdir(), 'ksec-keys-cli-'));
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    return path;
  };
  const backup = { apiVersion: 'v1', kind: 'List', items: keys.map((k, i) => keySecret({ privateKeyPem: k.pem, certificatePem: k.cert }, `sealed-secrets-key-demo${i}`, 'kube-system')) };
  await write('demo-keys.yaml', toYaml(backup));
  for (const [name, objects] of Object.entries(tree)) await write(name, objects.map((o) => toYaml(o)).join('---\n'));
  return { dir, write };
}

const data = { password: CANARY };

describe('ksec keys inventory', { timeout: 60_000 }, () => {
  it('prints each key with its dates and counts, the items on older keys and the keys that open nothing (exit 0)', async () => {
    const { dir, write } = await workdir({
      'apps/db.yaml': [seal({ key: v1.key, data, name: 'db' }), seal({ key: v1.key, data, name: 'db2' })],
      'apps/web.yaml': [seal({ key: v3.key, data, name: 'web' })],
    });
    // a Helm template in the tree does not parse, and holds no SealedSecret: passed over
    await write('apps/templates/deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n  {{- toYaml .Values.x | nindent 2 }}\n');
    const r = await runKsec(['keys', 'inventory', '--private-key', 'demo-keys.yaml', 'apps'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  ${v3.fingerprint}  newest\n    notBefore 2026-03-01T00:00:00Z  notAfter 2036-02-27T00:00:00Z\n    opens 1 SealedSecret(s)  from demo-keys.yaml: Secret/kube-system/sealed-secrets-key-demo2\n`);
    expect(r.stdout).toContain('3 SealedSecret(s) in 2 file(s): 1 on the newest key, 2 on an older key, 0 that no given key opens');
    expect(r.stdout).toContain(`  apps/db.yaml:1  prod/db  (strict)  ${v1.fingerprint}\n`);
    expect(r.stdout).toContain(`keys that open nothing in this tree (safe to retire as far as this tree is concerned):\n  ${v2.fingerprint}  demo-keys.yaml: Secret/kube-system/sealed-secrets-key-demo1\n`);
    expect(r.stdout).not.toContain(CANARY);
  });

  it('-o json has keys, items and summary; an item no key opens exits 1', async () => {
    const { dir } = await workdir({
      'a.yaml': [seal({ key: v2.key, data, name: 'a', scope: 'namespace-wide' })],
      'b.yaml': [seal({ key: stranger.key, data, name: 'b' })],
    });
    const r = await runKsec(['keys', 'inventory', '--private-key', 'demo-keys.yaml', '.', '-o', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.keys).toEqual([
      { fingerprint: v1.fingerprint, notBefore: '2026-01-01T00:00:00.000Z', notAfter: expect.any(String), items: 0, newest: false, source: expect.any(String) },
      { fingerprint: v2.fingerprint, notBefore: '2026-02-01T00:00:00.000Z', notAfter: expect.any(String), items: 1, newest: false, source: expect.any(String) },
      { fingerprint: v3.fingerprint, notBefore: '2026-03-01T00:00:00.000Z', notAfter: expect.any(String), items: 0, newest: true, source: expect.any(String) },
    ]);
    expect(out.items).toEqual([
      { file: 'a.yaml', line: 1, namespace: 'prod', name: 'a', key: v2.fingerprint, scope: 'namespace-wide' },
      { file: 'b.yaml', line: 1, namespace: 'prod', name: 'b', key: null, scope: 'strict', problem: expect.stringMatching(/^encryptedData.password: none of the 3 key\(s\) opens it/) },
    ]);
    expect(out.summary).toMatchObject({ items: 2, newestKey: v3.fingerprint, reencryptCandidates: 1, unopened: 1, unusedKeys: [v1.fingerprint] });
    expect(r.stdout).not.toContain(CANARY);
  });

  it('exits 2 with one line naming the file on bad input', async () => {
    const { dir, write } = await workdir({ 'a.yaml': [seal({ key: v1.key, data })] });
    await write('garbage.key', 'not a key\n');
    await write('notes/readme.yaml', toYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
    await write('broken/sealed.yaml', 'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: x\n');
    for (const [args, message] of [
      [['--private-key', 'garbage.key', 'a.yaml'], /^error: garbage.key: no private key found \(/],
      [['--private-key', 'missing.yaml', 'a.yaml'], /^error: missing.yaml: cannot read: no such file or directory/],
      [['--private-key', 'demo-keys.yaml', 'nowhere/'], /^error: nowhere\/: cannot read: no such file or directory/],
      [['--private-key', 'demo-keys.yaml', 'notes'], /^error: notes: no SealedSecret found/],
      [['--private-key', 'demo-keys.yaml', 'broken'], /^error: broken\/sealed.yaml: /],
      [['--private-key', 'demo-keys.yaml', 'a.yaml', '-o', 'xml'], /unknown output format "xml"/],
      [['a.yaml'], /no private key given/],
    ] as const) {
      const r = await runKsec(['keys', 'inventory', ...args], { cwd: dir });
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--help shows the flags, the key inputs and examples', async () => {
    const r = await runKsec(['keys', 'inventory', '--help']);
    for (const text of ['--private-key', '--recovery-private-key', '--format', '--namespace', '--require-newest', 'Examples:', 'Exit codes:']) expect(r.stdout).toContain(text);
    const keys = await runKsec(['keys', '--help']);
    expect(keys.stdout).toMatch(/inventory[\s\S]*rotate-plan/);
  });
});

/** Runs a plan with sh, `ksec` being the built CLI on PATH. */
async function runPlan(dir: string, plan: string) {
  const bin = join(dir, '.bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'ksec'), `#!/bin/sh\nexec '${process.execPath}' '${KSEC_BIN}' "$@"\n`);
  await chmod(join(bin, 'ksec'), 0o755);
  await writeFile(join(dir, 'plan.sh'), plan);
  return promisify(execFile)('sh', ['plan.sh'], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', CI: 'true' } });
}

const opensWith = (text: string, key: KeyObject) =>
  text
    .split(/^---$/m)
    .filter((d) => d.trim())
    .map((d) => Buffer.from(unsealSealedSecret(parse(d), new KeyRing([key])).data!.password!, 'base64').toString());

describe('ksec keys rotate-plan', { timeout: 120_000 }, () => {
  it('prints the reencrypt commands; run, they move everything to the newest key, and the inventory says so', async () => {
    const { dir } = await workdir({
      'apps/db.yaml': [seal({ key: v1.key, data, name: 'db' }), seal({ key: v3.key, data, name: 'db-new' })],
      'apps/web.yaml': [seal({ key: v2.key, data, name: 'web', scope: 'cluster-wide' })],
      'apps/ok.yaml': [seal({ key: v3.key, data, name: 'ok' })],
    });
    const before = await readFile(join(dir, 'apps/ok.yaml'), 'utf8');
    const r = await runKsec(['keys', 'rotate-plan', '--private-key', 'demo-keys.yaml', 'apps'], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('#!/bin/sh');
    expect(r.stdout).toContain(`# newest key: ${v3.fingerprint}`);
    // the newest certificate lives only inside the backup Secret: the plan writes it first
    expect(r.stdout).toMatch(/cat > sealed-secrets-\S+\.crt <<'EOF'\n-----BEGIN CERTIFICATE-----\n[\s\S]*-----END CERTIFICATE-----\nEOF\n/);
    expect(lines.filter((l) => l.startsWith('ksec reencrypt '))).toEqual([
      expect.stringMatching(/^ksec reencrypt --cert sealed-secrets-\S+\.crt --private-key demo-keys.yaml --in-place -f apps\/db.yaml -f apps\/web.yaml$/),
    ]);
    expect(lines).toContain('ksec keys inventory --require-newest --private-key demo-keys.yaml apps');
    expect(r.stdout).not.toContain(CANARY);

    const run = await runPlan(dir, r.stdout);
    expect(run.stderr).toMatch(/re-sealed 2 value\(s\) in 3 SealedSecret\(s\)/);
    expect(run.stdout).toContain('4 SealedSecret(s) in 3 file(s): 4 on the newest key, 0 on an older key, 0 that no given key opens');

    const after = await runKsec(['keys', 'inventory', '--private-key', 'demo-keys.yaml', 'apps', '-o', 'json', '--require-newest'], { cwd: dir });
    expect(after.code).toBe(0);
    const out = JSON.parse(after.stdout);
    expect(out.items.every((i: { key: string }) => i.key === v3.fingerprint)).toBe(true);
    expect(out.summary).toMatchObject({ reencryptCandidates: 0, unusedKeys: [v1.fingerprint, v2.fingerprint] });
    expect(opensWith(await readFile(join(dir, 'apps/db.yaml'), 'utf8'), v3.key)).toEqual([CANARY, CANARY]);
    expect(await readFile(join(dir, 'apps/ok.yaml'), 'utf8')).toBe(before);

    const again = await runKsec(['keys', 'rotate-plan', '--private-key', 'demo-keys.yaml', 'apps'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('# nothing to move: no SealedSecret here is sealed with an older key');
    expect(again.stdout).not.toMatch(/^ksec /m);
  });

  it('uses a certificate file found beside the key, and only the keys a file needs; leaves out files reencrypt would refuse', async () => {
    const { dir, write } = await workdir({
      'a.yaml': [seal({ key: v1.key, data, name: 'a' })],
      'mixed.yaml': [seal({ key: v1.key, data, name: 'm1' }), seal({ key: stranger.key, data, name: 'm2' })],
    }, []);
    await write('keys/demo-v1.key', v1.pem);
    await write('keys/demo-v1.crt', v1.cert);
    await write('keys/demo-v3.key', v3.pem);
    await write('keys/demo-v3.crt', v3.cert);
    const r = await runKsec(['keys', 'rotate-plan', '--private-key', 'keys', 'a.yaml', 'mixed.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ksec reencrypt --cert keys\/demo-v3.crt --private-key keys\/demo-v1.key --in-place -f a.yaml$/m);
    expect(r.stdout).not.toContain('cat >');
    expect(r.stderr).toMatch(/left out of the plan.*mixed.yaml/);
    // the inventory at the end still fails: mixed.yaml holds a SealedSecret no key opens
    await expect(runPlan(dir, r.stdout)).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('no given key opens:') });
    expect(opensWith(await readFile(join(dir, 'a.yaml'), 'utf8'), v3.key)).toEqual([CANARY]);
  });

  it('quotes every path: a file name with spaces, quotes, a line break and $( ) is only a name', async () => {
    const odd = "odd dir/it's\n$(touch pwned).yaml";
    const { dir } = await workdir({ [odd]: [seal({ key: v1.key, data, name: 'odd' })] });
    const r = await runKsec(['keys', 'rotate-plan', '--private-key', 'demo-keys.yaml', 'odd dir'], { cwd: dir });
    expect(r.code).toBe(0);
    const run = await runPlan(dir, r.stdout);
    expect(run.stdout).toContain('1 on the newest key, 0 on an older key');
    await expect(readFile(join(dir, 'pwned'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(opensWith(await readFile(join(dir, odd), 'utf8'), v3.key)).toEqual([CANARY]);
  });

  it('passes -n to reencrypt and to the inventory for SealedSecrets without a namespace', async () => {
    const bare = seal({ key: v1.key, data, name: 'bare', namespace: 'prod' });
    delete bare.metadata!.namespace;
    const { dir } = await workdir({ 'kustomize/base/sealed.yaml': [bare] });
    const without = await runKsec(['keys', 'inventory', '--private-key', 'demo-keys.yaml', 'kustomize'], { cwd: dir });
    expect(without.code).toBe(1);
    expect(without.stdout).toContain('metadata.namespace is not set and the scope is strict: the sealing label is unknown (pass -n NAMESPACE)');
    expect(without.stdout).toContain('(1 SealedSecret(s) could not be tried, see above: these keys may open them)');
    const r = await runKsec(['keys', 'rotate-plan', '--private-key', 'demo-keys.yaml', '-n', 'prod', 'kustomize'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ksec reencrypt --cert \S+ --private-key demo-keys.yaml -n prod --in-place -f kustomize\/base\/sealed.yaml$/m);
    expect(r.stdout).toContain('ksec keys inventory --require-newest --private-key demo-keys.yaml -n prod kustomize');
    const run = await runPlan(dir, r.stdout);
    expect(run.stdout).toContain('1 on the newest key, 0 on an older key');
    expect(parse(await readFile(join(dir, 'kustomize/base/sealed.yaml'), 'utf8')).metadata.namespace).toBeUndefined();
  });

  it('exits 2 when the newest key is unknown or --cert is not its certificate', async () => {
    const { dir, write } = await workdir({ 'a.yaml': [seal({ key: v1.key, data })] });
    await write('pem/demo-v1.key', v1.pem);
    await write('demo-v2.crt', v2.cert);
    const none = await runKsec(['keys', 'rotate-plan', '--private-key', 'pem', 'a.yaml'], { cwd: dir });
    expect([none.code, none.stdout]).toEqual([2, '']);
    expect(none.stderr).toMatch(/^error: cannot tell the newest key: no key has a certificate \(/);
    const wrong = await runKsec(['keys', 'rotate-plan', '--private-key', 'demo-keys.yaml', '--cert', 'demo-v2.crt', 'a.yaml'], { cwd: dir });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error: demo-v2.crt: the certificate is for SHA256:\S+, not the newest key SHA256:/);
    // a newest certificate that expired: reencrypt would refuse it
    const gone = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await write('expired/demo-gone.key', gone.export({ type: 'pkcs1', format: 'pem' }).toString());
    await write('expired/demo-gone.crt', selfSignedCertificate(gone, { now: new Date('2026-06-01T00:00:00Z'), validForMs: 86_400_000 }));
    const expired = await runKsec(['keys', 'rotate-plan', '--private-key', 'demo-keys.yaml', '--private-key', 'expired', 'a.yaml'], { cwd: dir });
    expect([expired.code, expired.stdout]).toEqual([2, '']);
    expect(expired.stderr).toMatch(/^error: expired\/demo-gone.key: the newest key's certificate expired on 2026-06-02T00:00:00.000Z/);
    const listed = await runKsec(['keys', 'inventory', '--private-key', 'demo-keys.yaml', '--private-key', 'expired', 'a.yaml'], { cwd: dir });
    expect(listed.stdout).toContain('notAfter 2026-06-02T00:00:00Z (expired)');
  });
});
