/**
 * SOPS -> SealedSecret end to end: a Secret encrypted by the bed's sops for
 * an age key, sealed by `ksec seal --from-sops` with the certificate fetched
 * from the real controller, applied, and unsealed by the real controller into
 * the same values; the plaintext never appears in ksec's output.
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runKsec } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';

const CANARY = `KSEC-CANARY-sops-seal-${randomBytes(4).toString('hex')}`;
const NO_KEYS = { HOME: '/nonexistent', XDG_CONFIG_HOME: '', SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '', SOPS_DISABLE_VERSION_CHECK: '1' };

describe('ksec seal --from-sops against the real controller', () => {
  let bed: Testbed;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const work = mkdtempSync(join(tmpdir(), 'ksec-e2e-sops-seal-'));
  const ns = `ksec-sops-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    bed = testbed();
    const kc = new KubeConfig();
    kc.loadFromFile(bed.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: ns } } });
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('the controller unseals the SOPS plaintext', async () => {
    const keyFile = join(work, 'age.txt');
    await bed.exec('age-keygen', ['-o', keyFile]);
    const recipient = /public key: (age1[a-z0-9]+)/.exec(readFileSync(keyFile, 'utf8'))![1]!;
    const plain = join(work, 'db.yaml');
    writeFileSync(plain, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: ${ns}\ntype: Opaque\nstringData:\n  password: ${CANARY}\n  port: "5432"\n`);
    const encrypted = await bed.exec('sops', ['encrypt', '--age', recipient, '--encrypted-regex', '^(data|stringData)$', plain], { env: NO_KEYS });
    const encFile = join(work, 'db.enc.yaml');
    writeFileSync(encFile, encrypted.stdout);

    const r = await runKsec(['seal', '--from-sops', encFile, '--age-key-file', keyFile, '-o', 'yaml'], { env: { ...NO_KEYS, KUBECONFIG: bed.kubeconfig } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(CANARY);
    await custom.createNamespacedCustomObject({ group: 'bitnami.com', version: 'v1alpha1', namespace: ns, plural: 'sealedsecrets', body: parseYaml(r.stdout) });

    const deadline = Date.now() + 60_000;
    let secret;
    while (!secret && Date.now() < deadline) {
      secret = await core.readNamespacedSecret({ name: 'db', namespace: ns }).catch(() => undefined);
      if (!secret) await new Promise((res) => setTimeout(res, 250));
    }
    expect(secret, 'the controller created the Secret').toBeDefined();
    expect(Buffer.from(secret!.data!['password']!, 'base64').toString()).toBe(CANARY);
    expect(Buffer.from(secret!.data!['port']!, 'base64').toString()).toBe('5432');
  });
});
