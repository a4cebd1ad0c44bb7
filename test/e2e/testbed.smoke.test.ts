/**
 * Proof that the test bed is real: a released kube-apiserver built from
 * k8s.io/kubernetes, a controller-manager that reconciles Deployments, watches,
 * real ServiceAccount tokens under RBAC, moto behind the AWS SDK, sops+age, and
 * the sealed-secrets controller unsealing what kubeseal sealed.
 */
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, RbacAuthorizationV1Api, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { testbed, type Testbed } from './testbed/env.js';
import { versions } from './testbed/versions.js';
import { eventually } from '../helpers/eventually.js';


describe('test bed smoke', () => {
  let bed: Testbed;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const ns = `ksec-smoke-${randomBytes(3).toString('hex')}`;
  const work = mkdtempSync(join(tmpdir(), 'ksec-smoke-'));

  beforeAll(async () => {
    expect(inject('ksecTestbedState')).toBe(process.env['KSEC_TESTBED_STATE']);
    bed = testbed();
    kc = new KubeConfig();
    kc.loadFromFile(bed.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('runs a released kube-apiserver built from k8s.io/kubernetes', async () => {
    const { stdout } = await bed.exec(bed.tool('kube-apiserver'), ['--version']);
    expect(stdout.trim()).toBe(`Kubernetes ${versions.KUBERNETES_VERSION}`);
    expect(stdout.trim()).toMatch(/^Kubernetes v1\.(3[4-9]|[4-9]\d)\.\d+$/);
    // the Go build info embedded in the binary names the real module at that tag
    const binary = readFileSync(bed.tool('kube-apiserver'));
    expect(binary.includes('path\tk8s.io/kubernetes/cmd/kube-apiserver\n')).toBe(true);
    expect(binary.includes(`mod\tk8s.io/kubernetes\t${versions.KUBERNETES_VERSION}\th1:`)).toBe(true);
    const v = await bed.request('GET', '/version');
    expect(v.json<{ gitVersion: string }>().gitVersion).toBe(versions.KUBERNETES_VERSION);
  });

  it('creates a ConfigMap and receives its update events through a watch', async () => {
    const name = 'watched';
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data: { k: 'v0' } } });
    const seen: string[] = [];
    const watch = new Watch(kc);
    const ctrl = await watch.watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { fieldSelector: `metadata.name=${name}` },
      (phase, obj: V1ConfigMap) => seen.push(`${phase}:${obj.data?.['k'] ?? ''}`),
      () => undefined,
    );
    try {
      await eventually('ADDED event', async () => (seen.includes('ADDED:v0') ? true : undefined));
      for (const v of ['v1', 'v2']) {
        const cm = await core.readNamespacedConfigMap({ name, namespace: ns });
        cm.data = { k: v };
        await core.replaceNamespacedConfigMap({ name, namespace: ns, body: cm });
      }
      await eventually('MODIFIED events', async () => (seen.includes('MODIFIED:v1') && seen.includes('MODIFIED:v2') ? true : undefined));
    } finally {
      ctrl.abort();
    }
  });

  it('reconciles a Deployment into a ReplicaSet (kube-controller-manager)', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1', envFrom: [{ configMapRef: { name: 'watched' } }] }] },
          },
        },
      },
    });
    const first = await eventually('a ReplicaSet owned by the Deployment', async () => {
      const rs = await apps.listNamespacedReplicaSet({ namespace: ns });
      return rs.items.find((r) => r.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === 'web'));
    });
    // a patched pod template (what a config-hash rollout does) yields a second ReplicaSet
    await apps.patchNamespacedDeployment({
      name: 'web',
      namespace: ns,
      body: [{ op: 'add', path: '/spec/template/metadata/annotations', value: { 'ksec.io/config-hash': 'abc' } }],
    });
    await eventually('a second ReplicaSet after the template patch', async () => {
      const rs = await apps.listNamespacedReplicaSet({ namespace: ns });
      return rs.items.some((r) => r.metadata?.uid !== first.metadata?.uid) ? true : undefined;
    });
  });

  it('mints a real ServiceAccount token that RBAC limits', async () => {
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'watcher' } } });
    await rbac.createNamespacedRole({
      namespace: ns,
      body: { metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'watcher-cm-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace: ns }],
      },
    });
    const token = await bed.serviceAccountToken(ns, 'watcher', 600);
    const skc = new KubeConfig();
    skc.loadFromFile(bed.kubeconfigForToken(token, { namespace: ns }));
    const score = skc.makeApiClient(CoreV1Api);
    const cms = await score.listNamespacedConfigMap({ namespace: ns });
    expect(cms.items.map((c) => c.metadata?.name)).toContain('watched');
    await expect(score.listNamespacedSecret({ namespace: ns })).rejects.toMatchObject({ code: 403 });
  });

  it('stores and reads a secret in moto through the AWS SDK (env-configured endpoint)', async () => {
    expect(process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER']).toBe(bed.awsEndpoint);
    const sm = new SecretsManagerClient({}); // endpoint, region and credentials come from the bed's env
    const name = `ksec/smoke/${randomBytes(3).toString('hex')}`;
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"s3cr3t"}' }));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    expect(JSON.parse(got.SecretString ?? '{}')).toEqual({ password: 's3cr3t' });
  });

  it('encrypts with the real sops + age and decrypts back', async () => {
    const keyFile = join(work, 'age.key');
    await bed.exec('age-keygen', ['-o', keyFile]);
    const recipient = (await bed.exec('age-keygen', ['-y', keyFile])).stdout.trim();
    expect(recipient).toMatch(/^age1[0-9a-z]+$/);
    const plain = join(work, 'secret.yaml');
    writeFileSync(plain, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n');
    const enc = (await bed.exec('sops', ['--encrypt', '--age', recipient, '--encrypted-regex', '^(data|stringData)$', plain])).stdout;
    expect(enc).toContain('ENC[AES256_GCM');
    expect(enc).not.toContain('hunter2');
    const encFile = join(work, 'secret.enc.yaml');
    writeFileSync(encFile, enc);
    const dec = (await bed.exec('sops', ['--decrypt', encFile], { env: { SOPS_AGE_KEY_FILE: keyFile } })).stdout;
    expect(parseYaml(dec)).toEqual(parseYaml(readFileSync(plain, 'utf8')));
  });

  it('seals with kubeseal and the sealed-secrets controller unseals into a Secret', async () => {
    expect(bed.sealedSecrets.mode).toBe('service-proxy');
    // kubeseal fetches the cert through the kube API service proxy, as against a real cluster
    const cert = (await bed.exec('kubeseal', ['--fetch-cert'])).stdout;
    expect(cert).toContain('BEGIN CERTIFICATE');
    const certFile = join(work, 'cert.pem');
    writeFileSync(certFile, cert);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sealed', namespace: ns },
      type: 'Opaque',
      stringData: { password: 'from-kubeseal' },
    };
    const sealed = JSON.parse(
      (await bed.exec('kubeseal', ['--cert', certFile, '--format', 'json'], { input: JSON.stringify(secret) })).stdout,
    ) as { spec: { encryptedData: Record<string, string> } };
    expect(Object.keys(sealed.spec.encryptedData)).toEqual(['password']);
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({ group: 'bitnami.com', version: 'v1alpha1', namespace: ns, plural: 'sealedsecrets', body: sealed });
    const s = await eventually('the Secret unsealed by the controller', async () =>
      core.readNamespacedSecret({ name: 'sealed', namespace: ns }).catch(() => undefined),
    );
    expect(Buffer.from(s.data?.['password'] ?? '', 'base64').toString()).toBe('from-kubeseal');
    expect(s.metadata?.ownerReferences?.[0]?.kind).toBe('SealedSecret');
  });
});
