import { beforeAll, describe, expect, it } from 'vitest';
import { buildExternalSecret, buildSecretStore, type SecretStoreInput } from '../../../src/eso/manifests.js';
import { externalSecretProblems } from '../../../src/eso/validate.js';
import { crdErrors, loadCrds } from './crd-schema.js';

beforeAll(loadCrds, 120_000);

const base: SecretStoreInput = {
  apiVersion: 'v1',
  kind: 'ClusterSecretStore',
  name: 'aws',
  service: 'SecretsManager',
  region: 'eu-west-1',
  auth: { kind: 'default' },
};

describe('stores', () => {
  it('builds a ClusterSecretStore with IRSA and conditions that the v1 CRD accepts', () => {
    const store = buildSecretStore({
      ...base,
      role: 'arn:aws:iam::123456789012:role/eso',
      auth: { kind: 'irsa', serviceAccount: 'external-secrets', serviceAccountNamespace: 'external-secrets', audiences: ['sts.amazonaws.com'] },
      conditions: { namespaces: ['payments'], namespaceRegexes: ['^team-'], namespaceSelector: { team: 'a' } },
    });
    expect(store).toMatchObject({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      spec: {
        provider: { aws: { service: 'SecretsManager', region: 'eu-west-1', role: 'arn:aws:iam::123456789012:role/eso', auth: { jwt: { serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } } } },
        conditions: [{ namespaces: ['payments'], namespaceRegexes: ['^team-'], namespaceSelector: { matchLabels: { team: 'a' } } }],
      },
    });
    expect(crdErrors(store)).toEqual([]);
  });

  it('builds a namespaced SecretStore with secretRef auth', () => {
    const store = buildSecretStore({
      ...base,
      kind: 'SecretStore',
      namespace: 'payments',
      service: 'ParameterStore',
      auth: { kind: 'secret-ref', secretName: 'aws-creds', accessKeyIdKey: 'id', secretAccessKeyKey: 'key', sessionTokenKey: 'token' },
    });
    expect(store.metadata).toEqual({ name: 'aws', namespace: 'payments' });
    expect((store.spec as { provider: { aws: { auth: unknown } } }).provider.aws.auth).toEqual({
      secretRef: {
        accessKeyIDSecretRef: { name: 'aws-creds', key: 'id' },
        secretAccessKeySecretRef: { name: 'aws-creds', key: 'key' },
        sessionTokenSecretRef: { name: 'aws-creds', key: 'token' },
      },
    });
    expect(crdErrors(store)).toEqual([]);
  });

  it('the default chain has no auth block; v1beta1 validates against the v1beta1 schema', () => {
    const store = buildSecretStore({ ...base, apiVersion: 'v1beta1' });
    expect((store.spec as { provider: { aws: object } }).provider.aws).toEqual({ service: 'SecretsManager', region: 'eu-west-1' });
    expect(store.apiVersion).toBe('external-secrets.io/v1beta1');
    expect(crdErrors(store)).toEqual([]);
  });
});

describe('ExternalSecrets', () => {
  const es = (over: Partial<Parameters<typeof buildExternalSecret>[0]> = {}) =>
    buildExternalSecret({
      apiVersion: 'v1',
      name: 'db',
      namespace: 'prod',
      store: { name: 'aws', kind: 'ClusterSecretStore' },
      refreshInterval: '1h',
      target: { name: 'db', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [{ secretKey: 'password', remoteRef: { key: 'app/db', property: 'password' } }],
      ...over,
    });

  it('validates against the v1 CRD and the webhook rules', () => {
    const obj = es({ target: { name: 'db', creationPolicy: 'Owner', deletionPolicy: 'Delete', templateType: 'kubernetes.io/dockerconfigjson', templateLabels: { a: 'b' } } });
    expect(crdErrors(obj)).toEqual([]);
    expect(externalSecretProblems(obj)).toEqual([]);
    expect((obj.spec as { target: unknown }).target).toEqual({
      name: 'db',
      creationPolicy: 'Owner',
      deletionPolicy: 'Delete',
      template: { type: 'kubernetes.io/dockerconfigjson', metadata: { labels: { a: 'b' } } },
    });
  });

  it('the schema helper does catch mistakes (a check that can fail)', () => {
    const bad = es({ data: [{ secretKey: 'bad key', remoteRef: { key: 'x' } }] });
    expect(crdErrors(bad).join('\n')).toMatch(/secretKey/);
    const typo = { ...es(), spec: { ...(es().spec as object), refreshIntervall: '1h' } };
    expect(crdErrors(typo).join('\n')).toMatch(/refreshIntervall/);
  });

  it('reports every webhook rule', () => {
    const p = (o: object) => externalSecretProblems(o as never).join('\n');
    expect(p(es({ data: [] }))).toMatch(/either data or dataFrom/);
    expect(p(es({ target: { name: 'db', creationPolicy: 'Merge', deletionPolicy: 'Delete' } }))).toMatch(/Delete needs creationPolicy=Owner/);
    expect(p(es({ target: { name: 'db', creationPolicy: 'None', deletionPolicy: 'Delete' } }))).toMatch(/Delete needs/);
    expect(p(es({ target: { name: 'db', creationPolicy: 'None', deletionPolicy: 'Merge' } }))).toMatch(/Merge cannot be used with creationPolicy=None/);
    expect(p(es({ data: [{ secretKey: 'a', remoteRef: { key: 'x' } }, { secretKey: 'a', remoteRef: { key: 'y' } }] }))).toMatch(/duplicate secretKey "a"/);
    expect(p(es({ data: undefined, dataFrom: [{} as never] }))).toMatch(/extract, find or sourceRef/);
    expect(p(es({ data: undefined, dataFrom: [{ extract: { key: 'a' }, find: { name: { regexp: '.*' } } } as never] }))).toMatch(/at the same time/);
    expect(p(es({ name: 'Bad_Name' }))).toMatch(/metadata.name/);
    expect(p(es({ target: { name: 'db', creationPolicy: 'Orphan', deletionPolicy: 'Retain' } }))).toBe('');
  });
});
