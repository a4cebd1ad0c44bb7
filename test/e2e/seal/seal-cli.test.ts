/**
 * `ksec seal` against the real peers of the test bed: the certificate fetched
 * through the kube API service proxy (as kubeseal does), the real
 * sealed-secrets controller unsealing what ksec sealed in all three scopes,
 * `kubeseal --recovery-unseal` agreeing, and the output layout matching
 * kubeseal's byte for byte apart from ciphertexts and `creationTimestamp: null`.
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { runKsec } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { eventually } from '../../helpers/eventually.js';


const CANARY = `canary-e2e-${randomBytes(4).toString('hex')}`;
const BINARY = Buffer.from([0, 1, 2, 254, 255, 10, 13, 0x80]);
const UNICODE = 'ünïcødé ✓ 秘密 🔐';

function secret(name: string, namespace: string, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { app: 'e2e' }, annotations },
    type: 'Opaque',
    data: { binary: BINARY.toString('base64'), empty: '' },
    stringData: { canary: CANARY, unicode: UNICODE },
  };
}

describe('ksec seal against the real controller and kubeseal', () => {
  let bed: Testbed;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let certFile: string;
  const work = mkdtempSync(join(tmpdir(), 'ksec-e2e-seal-'));
  const ns = `ksec-seal-${randomBytes(3).toString('hex')}`;
  const ns2 = `${ns}-b`;

  beforeAll(async () => {
    bed = testbed();
    const kc = new KubeConfig();
    kc.loadFromFile(bed.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    for (const name of [ns, ns2]) await core.createNamespace({ body: { metadata: { name } } });
    certFile = join(work, 'cert.pem');
    writeFileSync(certFile, (await bed.exec('kubeseal', ['--fetch-cert'])).stdout);
  });

  afterAll(async () => {
    for (const name of [ns, ns2]) await core?.deleteNamespace({ name }).catch(() => undefined);
  });

  const ksec = (args: string[], stdin?: string) => runKsec(args, { stdin, env: { KUBECONFIG: bed.kubeconfig } });

  it('fetches the certificate through the kube API service proxy, like kubeseal --fetch-cert', async () => {
    const r = await ksec(['seal', '--fetch-cert', '--controller-name', 'sealed-secrets-controller', '--controller-namespace', 'kube-system']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const kubeseal = (await bed.exec('kubeseal', ['--fetch-cert'])).stdout;
    expect(r.stdout.trim()).toBe(kubeseal.trim());
  });

  it('fetches the certificate from the controller URL with --cert http://...', async () => {
    const url = `${bed.sealedSecrets.url.replace(/\/+$/, '')}/v1/cert.pem`;
    const r = await ksec(['seal', '--fetch-cert', '--cert', url]);
    expect(r.code).toBe(0);
    const kubeseal = (await bed.exec('kubeseal', ['--fetch-cert'])).stdout;
    expect(r.stdout.trim()).toBe(kubeseal.trim());
  });

  for (const scope of ['strict', 'namespace-wide', 'cluster-wide'] as const) {
    it(`the controller unseals what ksec sealed (${scope}, cert fetched from the controller)`, async () => {
      const name = `s-${scope}`;
      const r = await ksec(['seal', '--scope', scope, '-o', 'yaml'], JSON.stringify(secret(name, ns)));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain(CANARY);
      const sealed = parseYaml(r.stdout);
      // Where the scope allows it, apply the SealedSecret somewhere else than where it was sealed for.
      let target = { name, namespace: ns };
      if (scope === 'namespace-wide') target = { name: `${name}-renamed`, namespace: ns };
      if (scope === 'cluster-wide') target = { name: `${name}-moved`, namespace: ns2 };
      sealed.metadata.name = target.name;
      sealed.metadata.namespace = target.namespace;
      delete sealed.spec.template.metadata.name;
      delete sealed.spec.template.metadata.namespace;
      await custom.createNamespacedCustomObject({ group: 'bitnami.com', version: 'v1alpha1', namespace: target.namespace, plural: 'sealedsecrets', body: sealed });
      const s = await eventually(`Secret ${target.namespace}/${target.name}`, () =>
        core.readNamespacedSecret({ name: target.name, namespace: target.namespace }).catch(() => undefined),
      );
      const data = s.data ?? {};
      expect(Buffer.from(data['canary'] ?? '', 'base64').toString()).toBe(CANARY);
      expect(Buffer.from(data['unicode'] ?? '', 'base64').toString()).toBe(UNICODE);
      expect(Buffer.from(data['binary'] ?? '', 'base64').equals(BINARY)).toBe(true);
      expect(data['empty'] ?? '').toBe('');
      expect(s.metadata?.labels).toMatchObject({ app: 'e2e' });
      expect(s.type).toBe('Opaque');
    });
  }

  it('kubeseal --recovery-unseal opens what ksec sealed with the controller keys', async () => {
    const keys = await core.listNamespacedSecret({ namespace: 'kube-system', labelSelector: 'sealedsecrets.bitnami.com/sealed-secrets-key' });
    expect(keys.items.length).toBeGreaterThan(0);
    const keyFile = join(work, 'keys.yaml');
    writeFileSync(keyFile, stringify({ apiVersion: 'v1', kind: 'List', items: keys.items.map((k) => ({ ...k, apiVersion: 'v1', kind: 'Secret' })) }), { mode: 0o600 });
    for (const scope of ['strict', 'namespace-wide', 'cluster-wide']) {
      const r = await ksec(['seal', '--cert', certFile, '--scope', scope], JSON.stringify(secret('rec', ns)));
      expect(r.code).toBe(0);
      const out = await bed.exec('kubeseal', ['--recovery-unseal', '--recovery-private-key', keyFile, '-o', 'json'], { input: r.stdout });
      const unsealed = JSON.parse(out.stdout);
      expect(Buffer.from(unsealed.data.canary, 'base64').toString()).toBe(CANARY);
      expect(Buffer.from(unsealed.data.binary, 'base64').equals(BINARY)).toBe(true);
    }
  });

  it('prints the same YAML and JSON as kubeseal except ciphertexts and creationTimestamp: null', async () => {
    const base = secret('layout', ns, { 'sealedsecrets.bitnami.com/namespace-wide': 'true', note: 'a & b <c>', 'kubectl.kubernetes.io/last-applied-configuration': '{}' });
    // integer-like keys: a JS object lists them first; go-yaml and encoding/json order them differently
    const input = JSON.stringify({
      ...base,
      metadata: { ...base.metadata, labels: { ...base.metadata.labels, '2': 'x' } },
      data: { ...base.data, '10': 'YQ==', '9': 'YQ==', '.env': 'YQ==' },
    });
    const mask = (text: string) =>
      text
        .replace(/^(\s*"?[A-Za-z0-9_.-]+"?: "?)Ag[A-Za-z0-9+/=]+/gm, '$1<ciphertext>')
        .split('\n')
        .filter((l) => !/creationTimestamp: null|"creationTimestamp": null/.test(l))
        .join('\n')
        .replace(/,(\n\s*})/g, '$1');
    for (const format of ['yaml', 'json']) {
      const ours = await ksec(['seal', '--cert', certFile, '-o', format], input);
      const theirs = await bed.exec('kubeseal', ['--cert', certFile, '-o', format], { input });
      expect(ours.code).toBe(0);
      expect(mask(ours.stdout)).toBe(mask(theirs.stdout));
      expect(ours.stdout).not.toContain('creationTimestamp');
    }
  });

  it('--merge-into agrees with the controller after updating one key', async () => {
    const file = join(work, 'merge.yaml');
    expect((await ksec(['seal', '--cert', certFile, '-w', file], JSON.stringify(secret('merged', ns)))).code).toBe(0);
    const update = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'merged' }, stringData: { canary: `${CANARY}-2`, added: 'new' } };
    const r = await ksec(['seal', '--cert', certFile, '--merge-into', file], JSON.stringify(update));
    expect(r.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const sealed = parseYaml(readFileSync(file, 'utf8'));
    await custom.createNamespacedCustomObject({ group: 'bitnami.com', version: 'v1alpha1', namespace: ns, plural: 'sealedsecrets', body: sealed });
    const s = await eventually('merged Secret', () => core.readNamespacedSecret({ name: 'merged', namespace: ns }).catch(() => undefined));
    expect(Buffer.from(s.data?.['canary'] ?? '', 'base64').toString()).toBe(`${CANARY}-2`);
    expect(Buffer.from(s.data?.['added'] ?? '', 'base64').toString()).toBe('new');
    expect(Buffer.from(s.data?.['unicode'] ?? '', 'base64').toString()).toBe(UNICODE);
  });

  it('exit 2 for a controller Service that does not exist, exit 3 for an unreachable cluster', async () => {
    const missing = await ksec(['seal', '--fetch-cert', '--controller-name', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/controller kube-system\/nope: cannot get the sealed-secrets Service kube-system\/nope: not found/);

    const kc = join(work, 'dead-kubeconfig');
    writeFileSync(kc, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`);
    const dead = await runKsec(['seal', '--kubeconfig', kc], { stdin: JSON.stringify(secret('x', ns)) });
    expect(dead.code).toBe(3);
    expect(dead.stderr).toMatch(/cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
    expect(dead.stderr.trim().split('\n')).toHaveLength(1);
  });
});
