/**
 * `ksec keys inventory` and `rotate-plan` against the real sealed-secrets
 * controller of the test bed: the controller's own key backup (as kubectl
 * prints it) beside an older demo key made here. A SealedSecret sealed by
 * kubeseal with the controller's certificate is attributed to the key whose
 * fingerprint `ksec cert --fetch` prints, and that key is the newest; one
 * sealed for the demo key is a reencrypt candidate. The plan is run, the
 * inventory proves nothing is left on the demo key, and the controller
 * unseals the re-sealed SealedSecret.
 *
 * The shared controller's key is not rotated (other suites seal with its
 * certificate at the same time): the older key is a demo key with a past
 * notBefore, which is what a rotated-away key looks like offline.
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { selfSignedCertificate } from '../../../src/seal/keys.js';
import { eventually } from '../../helpers/eventually.js';
import { KSEC_BIN, runKsec } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';

const CANARY = `canary-e2e-keys-${randomBytes(4).toString('hex')}`;

describe('ksec keys against the real controller', { timeout: 120_000 }, () => {
  let bed: Testbed;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const work = mkdtempSync(join(tmpdir(), 'ksec-e2e-keys-'));
  const ns = `ksec-keys-${randomBytes(3).toString('hex')}`;
  let controllerFingerprint: string;
  let demoFingerprint: string;

  const ksec = (args: string[], stdin?: string) => runKsec(args, { stdin, cwd: work, env: { KUBECONFIG: bed.kubeconfig } });
  const secret = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: { canary: CANARY } });

  beforeAll(async () => {
    bed = testbed();
    const kc = new KubeConfig();
    kc.loadFromFile(bed.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: ns } } });

    // the controller's keys, as `kubectl get secret -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml` prints them
    mkdirSync(join(work, 'keys'));
    const keys = await core.listNamespacedSecret({ namespace: 'kube-system', labelSelector: 'sealedsecrets.bitnami.com/sealed-secrets-key' });
    expect(keys.items.length).toBeGreaterThan(0);
    writeFileSync(join(work, 'keys', 'controller-keys.yaml'), stringify({ apiVersion: 'v1', kind: 'List', items: keys.items.map((k) => ({ ...k, apiVersion: 'v1', kind: 'Secret' })) }), { mode: 0o600 });
    // an older demo key: its certificate starts in 2020, as a key the controller rotated away from
    const demo = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    writeFileSync(join(work, 'keys', 'demo-old.key'), demo.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(work, 'keys', 'demo-old.crt'), selfSignedCertificate(demo, { now: new Date('2020-01-01T00:00:00Z') }));

    const fetched = await ksec(['cert', '--fetch', '-o', 'json']);
    expect(fetched.code).toBe(0);
    controllerFingerprint = JSON.parse(fetched.stdout).fingerprint;
    demoFingerprint = JSON.parse((await ksec(['cert', '--cert', 'keys/demo-old.crt', '-o', 'json'])).stdout).fingerprint;
    writeFileSync(join(work, 'controller.crt'), (await bed.exec('kubeseal', ['--fetch-cert'])).stdout);

    // one SealedSecret sealed by kubeseal for the controller, one by ksec for the demo key
    mkdirSync(join(work, 'tree'));
    writeFileSync(join(work, 'tree', 'new.yaml'), (await bed.exec('kubeseal', ['--cert', join(work, 'controller.crt'), '-o', 'yaml'], { input: secret('new') })).stdout);
    const old = await ksec(['seal', '--cert', 'keys/demo-old.crt', '-o', 'yaml'], secret('old'));
    expect(old.code).toBe(0);
    writeFileSync(join(work, 'tree', 'old.yaml'), old.stdout);
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('attributes each SealedSecret to its key by kubeseal\'s fingerprint; the controller\'s key is the newest', async () => {
    const r = await ksec(['keys', 'inventory', '--private-key', 'keys', 'tree', '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.items.map((i: { file: string; key: string }) => [i.file, i.key])).toEqual([
      ['tree/new.yaml', controllerFingerprint],
      ['tree/old.yaml', demoFingerprint],
    ]);
    expect(out.keys.find((k: { fingerprint: string }) => k.fingerprint === controllerFingerprint)).toMatchObject({ newest: true, items: 1 });
    expect(out.keys.find((k: { fingerprint: string }) => k.fingerprint === demoFingerprint)).toMatchObject({ newest: false, items: 1, notBefore: '2020-01-01T00:00:00.000Z' });
    expect(out.summary).toMatchObject({ reencryptCandidates: 1, unopened: 0 });
    expect(r.stdout).not.toContain(CANARY);
  });

  it('the rotate plan moves the old SealedSecret to the controller\'s key, the inventory proves it, and the controller unseals it', async () => {
    const plan = await ksec(['keys', 'rotate-plan', '--private-key', 'keys', 'tree']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^ksec reencrypt --cert \S+\.crt --private-key keys\/demo-old.key --in-place -f tree\/old.yaml$/m);
    const bin = join(work, '.bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ksec'), `#!/bin/sh\nexec '${process.execPath}' '${KSEC_BIN}' "$@"\n`);
    chmodSync(join(bin, 'ksec'), 0o755);
    writeFileSync(join(work, 'plan.sh'), plan.stdout);
    const run = await promisify(execFile)('sh', ['plan.sh'], { cwd: work, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', CI: 'true' } });
    expect(run.stdout).toContain('2 SealedSecret(s) in 2 file(s): 2 on the newest key, 0 on an older key, 0 that no given key opens');
    expect(run.stdout).toContain(`keys that open nothing in this tree (safe to retire as far as this tree is concerned):\n  ${demoFingerprint}`);

    const sealed = parseYaml(readFileSync(join(work, 'tree', 'old.yaml'), 'utf8'));
    await custom.createNamespacedCustomObject({ group: 'bitnami.com', version: 'v1alpha1', namespace: ns, plural: 'sealedsecrets', body: sealed });
    const s = await eventually(`Secret ${ns}/old`, () => core.readNamespacedSecret({ name: 'old', namespace: ns }).catch(() => undefined));
    expect(Buffer.from(s.data?.['canary'] ?? '', 'base64').toString()).toBe(CANARY);
  });
});
