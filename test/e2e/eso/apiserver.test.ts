/**
 * The generated manifests against the real kube-apiserver of the bed with the
 * real ESO CRDs installed: server-side dry-run creates with
 * fieldValidation=Strict, so the apiserver applies the CRD's structural
 * schema, its CEL rules and rejects unknown fields. (ESO's own admission
 * webhook is not running in the bed; its rules are checked by validate.ts.)
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../src/manifest/objects.js';
import { runKsec } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { CRD_DIR } from '../../unit/eso/crd-schema.js';
import { client, seed, uniquePrefix } from './seed.js';

let bed: Testbed;
const ns = `ksec-eso-${randomBytes(3).toString('hex')}`;

async function installCrd(file: string): Promise<void> {
  const crd = parse(await readFile(`${CRD_DIR}/${file}`, 'utf8'));
  const r = await bed.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  // 409: installed already (by an earlier run on this shared bed)
  if (r.status !== 201 && r.status !== 409) throw new Error(`CRD ${file}: ${r.status} ${r.body}`);
  for (let i = 0; i < 100; i++) {
    const got = await bed.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    const conditions = (got.json<{ status?: { conditions?: { type: string; status: string }[] } }>().status?.conditions ?? []);
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`CRD ${crd.metadata.name} not established`);
}

async function dryRunCreate(obj: KubeObject): Promise<{ status: number; body: string }> {
  const [group, version] = String(obj.apiVersion).split('/');
  const plural = `${String(obj.kind).toLowerCase()}s`;
  const where = obj.metadata?.namespace ? `/namespaces/${obj.metadata.namespace}` : '';
  return bed.request('POST', `/apis/${group}/${version}${where}/${plural}?dryRun=All&fieldValidation=Strict`, obj);
}

beforeAll(async () => {
  bed = testbed();
  for (const f of ['external-secrets.io_externalsecrets.yaml', 'external-secrets.io_secretstores.yaml', 'external-secrets.io_clustersecretstores.yaml']) await installCrd(f);
  const r = await bed.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  expect(r.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await bed?.request('DELETE', `/api/v1/namespaces/${ns}`);
});

describe('generated manifests on the real apiserver', () => {
  it('admits every generated ExternalSecret and store (strict field validation)', async () => {
    const seeded = await seed(client(), uniquePrefix('api'), 24, 0);
    const objects: KubeObject[] = [];
    for (const args of [
      ['--mode', 'data'],
      ['--mode', 'data', '--flatten', '--template-type', 'kubernetes.io/dockerconfigjson', '--deletion-policy', 'Delete'],
      ['--mode', 'extract', '--creation-policy', 'Orphan', '--refresh-interval', '15m'],
      ['--mode', 'find', '--find-regexp', '^.*/production/.*$'],
    ]) {
      const r = await runKsec(['eso', 'generate', '--path', `${seeded.prefix}/`, '--store', 'aws', '-n', ns, ...args], { env: bed.env });
      expect(r.code, r.stderr).toBe(0);
      objects.push(...parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject));
    }
    for (const args of [
      ['--auth', 'irsa', '--service-account', 'eso', '--service-account-namespace', 'external-secrets', '--condition-namespace', ns, '--condition-selector', 'team=a'],
      ['--auth', 'secret-ref', '--secret-name', 'aws-creds', '--secret-namespace', ns, '--session-token-key', 'token', '--role', 'arn:aws:iam::123456789012:role/eso'],
      ['--namespaced', '-n', ns, '--service', 'ParameterStore', '--auth', 'secret-ref', '--secret-name', 'aws-creds'],
    ]) {
      const r = await runKsec(['eso', 'store', '--name', `aws-${objects.length}`, '--region', 'eu-west-1', ...args], { env: bed.env });
      expect(r.code, r.stderr).toBe(0);
      objects.push(parse(r.stdout));
    }
    expect(objects.length).toBeGreaterThan(24 * 3);
    for (const obj of objects) {
      const r = await dryRunCreate(obj);
      expect(r.status, `${obj.kind}/${obj.metadata?.name}: ${r.body}`).toBe(201);
      expect(r.body).not.toContain(seeded.canary);
    }
  });

  it('rejects what ESO’s schema rejects (the check can fail)', async () => {
    const bad = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'bad', namespace: ns },
      spec: { secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' }, data: [{ secretKey: 'not valid', remoteRef: { key: 'x' } }] },
    };
    const r = await dryRunCreate(bad);
    expect(r.status).toBe(422);
    expect(r.body).toMatch(/secretKey/);
    const unknown = await dryRunCreate({ ...bad, spec: { ...bad.spec, data: [{ secretKey: 'ok', remoteRef: { key: 'x' } }], refreshIntervall: '1h' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatch(/refreshIntervall/);
  });
});
