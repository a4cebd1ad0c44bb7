import { beforeAll, describe, expect, it } from 'vitest';
import { generateExternalSecrets, sourceFromShape, type GenerateOptions } from '../../../src/eso/generate.js';
import { shapeOf } from '../../../src/eso/aws.js';
import { externalSecretProblems } from '../../../src/eso/validate.js';
import { crdErrors, loadCrds } from './crd-schema.js';

beforeAll(loadCrds, 120_000);

const options: GenerateOptions = {
  apiVersion: 'v1',
  store: { name: 'aws', kind: 'ClusterSecretStore' },
  mode: 'data',
  refreshInterval: '1h',
  creationPolicy: 'Owner',
  deletionPolicy: 'Retain',
  prefixes: ['myapp/'],
};

const CANARY = 'CANARY-gen-7d1f';

describe('shapes', () => {
  it('keeps only the structure of a value', () => {
    const shape = shapeOf(JSON.stringify({ user: 'u', password: CANARY, db: { host: 'h', port: 5432, empty: {} } }), undefined);
    expect(shape).toEqual({ type: 'json', keys: ['user', 'password', 'db'], leaves: [['user'], ['password'], ['db', 'host'], ['db', 'port'], ['db', 'empty']] });
    expect(JSON.stringify(shape)).not.toContain(CANARY);
    expect(shapeOf(CANARY, undefined)).toEqual({ type: 'string' });
    expect(shapeOf('[1,2]', undefined)).toEqual({ type: 'string' });
    expect(shapeOf('"quoted"', undefined)).toEqual({ type: 'string' });
    expect(shapeOf(undefined, new Uint8Array([0, 255]))).toEqual({ type: 'binary' });
  });
});

describe('generateExternalSecrets', () => {
  const sources = [
    sourceFromShape('myapp/production/db', { type: 'json', keys: ['username', 'password', 'db.port', 'api key'], leaves: [] }),
    sourceFromShape('myapp/production/token', { type: 'string' }),
    sourceFromShape('myapp/staging/cert', { type: 'binary' }),
  ];

  it('maps JSON keys to data entries and whole values to one key', () => {
    const { manifests, warnings } = generateExternalSecrets(sources, { ...options, namespaceFromPath: 2 });
    expect(warnings).toEqual([]);
    expect(manifests.map((m) => [m.name, m.namespace])).toEqual([
      ['myapp-production-db', 'production'],
      ['myapp-production-token', 'production'],
      ['myapp-staging-cert', 'staging'],
    ]);
    const db = manifests[0]!.object as { spec: { data: unknown[] } };
    expect(db.spec.data).toEqual([
      { secretKey: 'username', remoteRef: { key: 'myapp/production/db', property: 'username' } },
      { secretKey: 'password', remoteRef: { key: 'myapp/production/db', property: 'password' } },
      { secretKey: 'db.port', remoteRef: { key: 'myapp/production/db', property: 'db.port' } },
      { secretKey: 'api_key', remoteRef: { key: 'myapp/production/db', property: 'api key' } },
    ]);
    expect((manifests[1]!.object as { spec: { data: unknown[] } }).spec.data).toEqual([{ secretKey: 'token', remoteRef: { key: 'myapp/production/token' } }]);
    for (const m of manifests) {
      expect(crdErrors(m.object)).toEqual([]);
      expect(externalSecretProblems(m.object)).toEqual([]);
    }
  });

  it('extract mode uses dataFrom.extract for JSON and data for plain values', () => {
    const { manifests } = generateExternalSecrets(sources, { ...options, mode: 'extract', deletionPolicy: 'Delete' });
    expect((manifests[0]!.object as { spec: object }).spec).toMatchObject({ dataFrom: [{ extract: { key: 'myapp/production/db' } }], target: { deletionPolicy: 'Delete' } });
    // ESO copies JSON keys as they are and the apiserver refuses "api key": every key is made valid
    expect((manifests[0]!.object as { spec: { dataFrom: unknown[] } }).spec.dataFrom[0]).toEqual({
      extract: { key: 'myapp/production/db' },
      rewrite: [{ regexp: { source: '[^-._a-zA-Z0-9]', target: '_' } }],
    });
    expect((manifests[1]!.object as { spec: object }).spec).toMatchObject({ data: [{ secretKey: 'token' }] });
    for (const m of manifests) expect(crdErrors(m.object)).toEqual([]);
  });

  it('find mode makes one ExternalSecret per prefix with a rewrite to valid keys', () => {
    const { manifests } = generateExternalSecrets([], { ...options, mode: 'find', prefixes: ['myapp/production'], namespace: 'prod' });
    expect(manifests).toHaveLength(1);
    expect(manifests[0]!.object).toMatchObject({
      metadata: { name: 'myapp-production', namespace: 'prod' },
      spec: {
        dataFrom: [
          {
            find: { path: 'myapp/production', name: { regexp: '.*' } },
            rewrite: [{ regexp: { source: '^myapp/production/*', target: '' } }, { regexp: { source: '[^-._a-zA-Z0-9]', target: '_' } }],
          },
        ],
      },
    });
    expect(crdErrors(manifests[0]!.object)).toEqual([]);
  });

  it('flatten maps nested leaves to gjson paths', () => {
    const s = sourceFromShape('a/b', { type: 'json', keys: ['db'], leaves: [['db', 'host'], ['db', 'x.y']] }, true);
    const { manifests } = generateExternalSecrets([s], options);
    expect((manifests[0]!.object as { spec: { data: unknown[] } }).spec.data).toEqual([
      { secretKey: 'db.host', remoteRef: { key: 'a/b', property: 'db.host' } },
      { secretKey: 'db.x.y', remoteRef: { key: 'a/b', property: 'db.x\\.y' } },
    ]);
  });

  it('reports and resolves name and key collisions deterministically', () => {
    const colliding = [
      sourceFromShape('app/db_main', { type: 'string' }),
      sourceFromShape('app/db-main', { type: 'json', keys: ['a b', 'a_b', 'c'], leaves: [] }),
    ];
    const first = generateExternalSecrets(colliding, options);
    const again = generateExternalSecrets(colliding, options);
    expect(first.manifests.map((m) => m.name)).toEqual(again.manifests.map((m) => m.name));
    const names = first.manifests.map((m) => m.name);
    expect(new Set(names).size).toBe(2);
    expect(names.every((n) => n.startsWith('app-db-main-'))).toBe(true);
    expect(first.warnings.join('\n')).toMatch(/2 secrets map to ExternalSecret "app-db-main": app\/db_main -> app-db-main-\w+, app\/db-main -> app-db-main-\w+/);
    expect(first.warnings.join('\n')).toMatch(/"a b", "a_b" all sanitise to secretKey "a_b"/);
    for (const m of first.manifests) expect(externalSecretProblems(m.object)).toEqual([]);
  });

  it('strip-prefix names by the relative path; template type and v1beta1 pass their schema', () => {
    const { manifests } = generateExternalSecrets([sourceFromShape('myapp/production/registry', { type: 'string' })], {
      ...options,
      prefixes: ['myapp/production'],
      stripPrefix: true,
      templateType: 'kubernetes.io/dockerconfigjson',
      apiVersion: 'v1beta1',
    });
    expect(manifests[0]!.name).toBe('registry');
    // a --path that names one secret exactly leaves nothing to strip: the full path names it
    const exact = generateExternalSecrets([sourceFromShape('myapp/db', { type: 'string' })], { ...options, prefixes: ['myapp/db'], stripPrefix: true });
    expect(exact.manifests[0]!.name).toBe('myapp-db');
    expect(manifests[0]!.object.apiVersion).toBe('external-secrets.io/v1beta1');
    expect(crdErrors(manifests[0]!.object)).toEqual([]);
  });

  it('refuses policies ESO rejects and missing path segments', () => {
    expect(() => generateExternalSecrets(sources, { ...options, creationPolicy: 'Merge', deletionPolicy: 'Delete' })).toThrow(/ESO would reject.*Delete needs creationPolicy=Owner/);
    expect(() => generateExternalSecrets(sources, { ...options, namespaceFromPath: 5 })).toThrow(/has no path segment 5/);
    expect(() => generateExternalSecrets([sourceFromShape('///', { type: 'string' })], options)).toThrow(/no Kubernetes name/);
  });
});
