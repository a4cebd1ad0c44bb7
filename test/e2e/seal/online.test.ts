/**
 * `ksec seal --validate` and `ksec seal --re-encrypt` against the real sealed-secrets controller
 * (issue 19, point 6), beside kubeseal v0.36.6 doing the same: valid, tampered and wrong-namespace
 * SealedSecrets; re-encryption compared with kubeseal --re-encrypt byte for byte with the
 * ciphertexts masked; and, on a controller of this file's own (online-controller.ts), re-encryption
 * after the controller renewed its key: the result opens with the new key only, and the controller
 * unseals it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { eventually } from '../../helpers/eventually.js';
import { runKsec, type KsecResult } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { startPrivateController, type PrivateController } from './online-controller.js';

const id = randomBytes(3).toString('hex');
const ns = `ksec-online-${id}`;
const ownNs = `ksec-online-${id}-ctl`;
const CANARY = `canary-online-${randomBytes(6).toString('hex')}`;

/** kubeseal's and ksec's output with every ciphertext replaced by one word */
const masked = (text: string) => text.replace(/Ag[A-Za-z0-9+/]{200,}={0,2}/g, 'CIPHERTEXT');
const ciphertexts = (text: string) => text.match(/Ag[A-Za-z0-9+/]{200,}={0,2}/g) ?? [];

describe('ksec seal --validate / --re-encrypt against the real controller', { timeout: 600_000 }, () => {
  let bed: Testbed;
  let own: PrivateController | undefined;
  const work = mkdtempSync(join(tmpdir(), 'ksec-e2e-online-'));
  const ksec = (args: string[], stdin?: string) => runKsec(args, { stdin, cwd: work, env: { KUBECONFIG: bed.kubeconfig } });
  const kubeseal = (args: string[], input?: string) => bed.exec('kubeseal', args, { input, cwd: work, env: { KUBECONFIG: bed.kubeconfig } });
  const kubesealFails = (args: string[], input?: string) => kubeseal(args, input).then(() => undefined, (e: { stderr: string }) => e.stderr);
  const secret = (name: string, namespace = ns, value = CANARY) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', stringData: { canary: value, other: `${value}-2` } });
  const write = (file: string, text: string) => {
    writeFileSync(join(work, file), text);
    return file;
  };
  const noCanary = (r: KsecResult) => {
    expect(r.stdout).not.toContain(CANARY);
    expect(r.stderr).not.toContain(CANARY);
  };
  const create = async (path: string, body: unknown) => {
    const r = await bed.request('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body}`);
  };
  const unsealedBy = async (namespace: string, sealed: unknown, name: string) => {
    await create(`/apis/bitnami.com/v1alpha1/namespaces/${namespace}/sealedsecrets`, sealed);
    const s = await eventually(`Secret ${namespace}/${name}`, async () => {
      const r = await bed.request('GET', `/api/v1/namespaces/${namespace}/secrets/${name}`);
      return r.status === 200 ? r.json<{ data: Record<string, string> }>() : undefined;
    }, 120_000);
    return Buffer.from(s.data['canary'] ?? '', 'base64').toString();
  };

  beforeAll(async () => {
    bed = testbed();
    for (const n of [ns, ownNs]) await create('/api/v1/namespaces', { metadata: { name: n } });
    writeFileSync(join(work, 'controller.crt'), (await kubeseal(['--fetch-cert'])).stdout);
    write('valid.json', (await kubeseal(['--cert', 'controller.crt'], secret('db'))).stdout);
    write('valid.yaml', (await kubeseal(['--cert', 'controller.crt', '-o', 'yaml'], secret('db'))).stdout);
    const tampered = JSON.parse(readFileSync(join(work, 'valid.json'), 'utf8'));
    const c: string = tampered.spec.encryptedData.canary;
    const at = Math.floor(c.length / 2);
    tampered.spec.encryptedData.canary = c.slice(0, at) + (c[at] === 'A' ? 'B' : 'A') + c.slice(at + 1);
    write('tampered.json', JSON.stringify(tampered, null, 2));
    const moved = JSON.parse(readFileSync(join(work, 'valid.json'), 'utf8'));
    moved.metadata.namespace = 'default';
    write('wrong-namespace.json', JSON.stringify(moved));
  });

  afterAll(async () => {
    await own?.stop();
    for (const n of [ns, ownNs]) await bed?.request('DELETE', `/api/v1/namespaces/${n}`);
  });

  it('--validate: a valid SealedSecret passes (exit 0), as kubeseal --validate', async () => {
    await kubeseal(['--validate', '-f', 'valid.json']);
    const r = await ksec(['seal', '--validate', '-f', 'valid.json']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('1 SealedSecret(s) checked by the controller kube-system/sealed-secrets-controller: 0 invalid\n');
    expect(r.code).toBe(0);
    expect((await ksec(['seal', '--validate'], readFileSync(join(work, 'valid.yaml'), 'utf8'))).code).toBe(0);
  });

  it('--validate: tampered and wrong-namespace SealedSecrets fail (exit 1, one line each), as kubeseal refuses them', async () => {
    for (const file of ['tampered.json', 'wrong-namespace.json']) {
      expect(await kubesealFails(['--validate', '-f', file])).toMatch(/unable to decrypt sealed secret: db/);
      const r = await ksec(['seal', '--validate', '-f', file]);
      const namespace = file === 'tampered.json' ? ns : 'default';
      expect(r.stdout).toBe(`${file}:1: SealedSecret/${namespace}/db: the controller cannot decrypt it [controller-decrypt]\n`);
      expect(r.stderr).toMatch(/1 SealedSecret\(s\) checked by the controller .*: 1 invalid/);
      expect(r.code).toBe(1);
      noCanary(r);
    }
    // several inputs: every SealedSecret is asked (the controller's rate limit is waited out), each failure named
    const r = await ksec(['seal', '--validate', 'valid.json', 'tampered.json', 'valid.yaml', 'wrong-namespace.json']);
    expect(r.stdout.trim().split('\n')).toEqual([
      `tampered.json:1: SealedSecret/${ns}/db: the controller cannot decrypt it [controller-decrypt]`,
      'wrong-namespace.json:1: SealedSecret/default/db: the controller cannot decrypt it [controller-decrypt]',
    ]);
    expect(r.code).toBe(1);
  });

  it('--validate and --re-encrypt refuse the sealing flags and say which offline command does the same', async () => {
    const r = await ksec(['seal', '--validate', '--cert', 'controller.crt', '-f', 'valid.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--validate asks the controller in the cluster and does not take --cert \(offline, with a certificate or private keys: ksec validate\)/);
    const e = await ksec(['seal', '--re-encrypt', '--raw', '-f', 'valid.json']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/ksec reencrypt/);
  });

  it('--re-encrypt writes what kubeseal --re-encrypt writes (JSON and YAML, ciphertexts aside); the controller unseals it', async () => {
    const input = readFileSync(join(work, 'valid.json'), 'utf8');
    const theirs = (await kubeseal(['--re-encrypt'], input)).stdout;
    const ours = await ksec(['seal', '--re-encrypt'], input);
    expect(ours.stderr).toBe('');
    expect(ours.code).toBe(0);
    expect(masked(ours.stdout)).toBe(masked(theirs));
    const before = ciphertexts(input);
    const after = ciphertexts(ours.stdout);
    expect(after).toHaveLength(2);
    for (const c of after) expect(before).not.toContain(c);

    const theirsYaml = (await kubeseal(['--re-encrypt', '-o', 'yaml'], input)).stdout;
    const yaml = await ksec(['seal', '--re-encrypt', '-f', 'valid.json', '-w', 'rotated.yaml']);
    expect(yaml.code).toBe(0);
    expect(statSync(join(work, 'rotated.yaml')).mode & 0o777).toBe(0o600);
    const rotatedYaml = readFileSync(join(work, 'rotated.yaml'), 'utf8');
    expect(masked(rotatedYaml)).toBe(masked(theirsYaml));
    expect(readFileSync(join(work, 'valid.json'), 'utf8')).toBe(input);

    // strict scope: the rotated SealedSecret opens as db in its namespace, as the original
    expect(await unsealedBy(ns, parseYaml(rotatedYaml), 'db')).toBe(CANARY);
  });

  it('--re-encrypt --in-place rewrites the file as kubeseal --re-encrypt -f FILE does; -f alone prints and says so; a tampered one is left untouched (exit 2)', async () => {
    const original = readFileSync(join(work, 'valid.yaml'), 'utf8');
    write('in-place.yaml', original);
    write('kubeseal-in-place.yaml', original);
    await kubeseal(['--re-encrypt', '-f', 'kubeseal-in-place.yaml']);
    const printed = await ksec(['seal', '--re-encrypt', '-f', 'in-place.yaml', '-o', 'yaml']);
    expect(printed.code).toBe(0);
    expect(printed.stderr).toBe('printed to stdout; in-place.yaml is unchanged (kubeseal rewrites it in place: add --in-place)\n');
    expect(masked(printed.stdout)).toBe(masked(readFileSync(join(work, 'kubeseal-in-place.yaml'), 'utf8')));
    expect(readFileSync(join(work, 'in-place.yaml'), 'utf8')).toBe(original);
    const r = await ksec(['seal', '--re-encrypt', '-f', 'in-place.yaml', '--in-place']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const text = readFileSync(join(work, 'in-place.yaml'), 'utf8');
    expect(text.startsWith('---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n')).toBe(true);
    expect(masked(text)).toBe(masked(readFileSync(join(work, 'kubeseal-in-place.yaml'), 'utf8')));
    expect(ciphertexts(text)).toHaveLength(2);
    for (const c of ciphertexts(text)) expect(ciphertexts(original)).not.toContain(c);
    expect(statSync(join(work, 'in-place.yaml')).mode & 0o777).toBe(statSync(join(work, 'kubeseal-in-place.yaml')).mode & 0o777);

    const tampered = readFileSync(join(work, 'tampered.json'), 'utf8');
    const t = await ksec(['seal', '--re-encrypt', '-f', 'tampered.json', '--in-place']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(new RegExp(`could not re-encrypt SealedSecret/${ns}/db \\(HTTP 500\\)`));
    expect(readFileSync(join(work, 'tampered.json'), 'utf8')).toBe(tampered);
    noCanary(t);
  });

  it('after the controller renews its key, --re-encrypt moves a SealedSecret to the new key, as kubeseal; that controller unseals it', async () => {
    own = await startPrivateController(bed, ownNs);
    const ref = ['--controller-namespace', ownNs, '--controller-name', own.name];
    const fingerprint = async () => JSON.parse((await ksec(['cert', '--fetch', ...ref, '-o', 'json'])).stdout).fingerprint as string;
    const oldCert = await ksec(['cert', '--fetch', ...ref, '-o', 'pem']);
    expect(oldCert.code).toBe(0);
    write('own-old.crt', oldCert.stdout);
    const oldFingerprint = await fingerprint();
    const sealed = await ksec(['seal', '--cert', 'own-old.crt', '-o', 'yaml'], secret('renewed', ownNs));
    expect(sealed.code).toBe(0);
    write('renewed.yaml', sealed.stdout);

    own.renewKey();
    await eventually('a new controller key', async () => ((await fingerprint()) !== oldFingerprint ? true : undefined), 180_000);
    expect((await ksec(['seal', '--validate', ...ref, '-f', 'renewed.yaml'])).code).toBe(0);

    const theirs = (await kubeseal(['--re-encrypt', ...ref, '-o', 'yaml'], sealed.stdout)).stdout;
    const ours = await ksec(['seal', '--re-encrypt', ...ref, '-f', 'renewed.yaml', '-w', 'renewed-new.yaml']);
    expect(ours.code).toBe(0);
    const rotated = readFileSync(join(work, 'renewed-new.yaml'), 'utf8');
    expect(masked(rotated)).toBe(masked(theirs));

    // the controller's key Secrets, split into the old and the new key
    const keys = (await bed.request('GET', `/api/v1/namespaces/${ownNs}/secrets?labelSelector=${encodeURIComponent('sealedsecrets.bitnami.com/sealed-secrets-key')}`)).json<{
      items: { metadata: { name: string }; data: Record<string, string> }[];
    }>().items;
    expect(keys).toHaveLength(2);
    mkdirSync(join(work, 'own-keys'), { recursive: true });
    const oldKey = keys.find((k) => Buffer.from(k.data['tls.crt']!, 'base64').toString() === oldCert.stdout)!;
    const newKey = keys.find((k) => k !== oldKey)!;
    for (const [file, k] of [['old.yaml', oldKey], ['new.yaml', newKey]] as const) {
      writeFileSync(join(work, 'own-keys', file), stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: k.metadata.name, namespace: ownNs }, type: 'kubernetes.io/tls', data: k.data }), { mode: 0o600 });
    }
    const withOld = await ksec(['unseal', '--private-key', 'own-keys/old.yaml', '-f', 'renewed-new.yaml']);
    expect(withOld.code).not.toBe(0);
    noCanary(withOld);
    const withNew = await ksec(['unseal', '--private-key', 'own-keys/new.yaml', '-f', 'renewed-new.yaml', '-o', 'json']);
    expect(withNew.code).toBe(0);
    expect(Buffer.from(JSON.parse(withNew.stdout).data.canary, 'base64').toString()).toBe(CANARY);

    expect(await unsealedBy(ownNs, parseYaml(rotated), 'renewed')).toBe(CANARY);
  });
});
