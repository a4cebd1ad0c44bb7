import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsvSpec, parseYamlSpec } from '../../../src/eso/spec.js';
import { generateExternalSecrets } from '../../../src/eso/generate.js';
import { crdErrors, loadCrds } from './crd-schema.js';

beforeAll(loadCrds, 120_000);

describe('YAML spec', () => {
  it('reads paths, keys (list or map), names and namespaces', () => {
    const spec = parseYamlSpec(
      `store: aws
namespace: production
secrets:
  - path: myapp/production/db
    keys: [username, password]
  - path: myapp/production/redis
    keys: { url: REDIS_URL }
    name: redis
    namespace: cache
  - path: myapp/production/token
    secretKey: API_TOKEN
  - myapp/production/plain
`,
      'spec.yaml',
    );
    expect(spec.store).toBe('aws');
    expect(spec.namespace).toBe('production');
    expect(spec.sources).toEqual([
      { key: 'myapp/production/db', json: true, properties: [{ property: 'username', secretKey: 'username' }, { property: 'password', secretKey: 'password' }] },
      { key: 'myapp/production/redis', json: true, properties: [{ property: 'url', secretKey: 'REDIS_URL' }], name: 'redis', namespace: 'cache' },
      { key: 'myapp/production/token', json: false, wholeKey: 'API_TOKEN' },
      { key: 'myapp/production/plain', json: false },
    ]);
    const { manifests } = generateExternalSecrets(spec.sources, {
      apiVersion: 'v1',
      store: { name: 'aws', kind: 'ClusterSecretStore' },
      mode: 'data',
      refreshInterval: '1h',
      creationPolicy: 'Owner',
      deletionPolicy: 'Retain',
      prefixes: [],
      namespace: 'production',
    });
    expect(manifests.map((m) => `${m.namespace}/${m.name}`)).toEqual([
      'production/myapp-production-db',
      'cache/redis',
      'production/myapp-production-token',
      'production/myapp-production-plain',
    ]);
    for (const m of manifests) expect(crdErrors(m.object)).toEqual([]);
  });

  it('accepts a bare list', () => {
    expect(parseYamlSpec('- path: a/b\n', 's.yaml').sources).toEqual([{ key: 'a/b', json: false }]);
  });

  it('rejects bad specs with the file named', () => {
    expect(() => parseYamlSpec('secrets: {}\n', 's.yaml')).toThrow(/no list of secrets/);
    expect(() => parseYamlSpec('secrets:\n  - keys: [a]\n', 's.yaml')).toThrow(/secrets\[0\] has no path/);
    expect(() => parseYamlSpec('secrets:\n  - path: a\n    key: [a]\n', 's.yaml')).toThrow(/unknown field "key"/);
    expect(() => parseYamlSpec('secrets:\n  - path: a\n  - path: a\n', 's.yaml')).toThrow(/listed twice/);
    expect(() => parseYamlSpec('secrets:\n  - path: a\n    keys: [1]\n', 's.yaml')).toThrow(/keys must be/);
    try {
      parseYamlSpec('secrets: [\n', 'bad.yaml');
      expect.unreachable();
    } catch (err) {
      expect((err as { file?: string }).file).toBe('bad.yaml');
    }
  });
});

describe('CSV spec', () => {
  it('groups rows by path, with quoted fields and CRLF', () => {
    const spec = parseCsvSpec(
      'path,property,secretKey,namespace\r\nmyapp/db,username,,prod\r\nmyapp/db,password,DB_PASS,prod\r\n"my,app/token",,TOKEN,\r\n\r\n',
      's.csv',
    );
    expect(spec.sources).toEqual([
      { key: 'myapp/db', json: true, namespace: 'prod', properties: [{ property: 'username', secretKey: 'username' }, { property: 'password', secretKey: 'DB_PASS' }] },
      { key: 'my,app/token', json: false, wholeKey: 'TOKEN' },
    ]);
  });

  it('rejects unknown columns, missing paths, conflicting rows', () => {
    expect(() => parseCsvSpec('path,prop\na,b\n', 's.csv')).toThrow(/unknown CSV column "prop"/);
    expect(() => parseCsvSpec('property\nb\n', 's.csv')).toThrow(/no "path" column/);
    expect(() => parseCsvSpec('path,property\n,b\n', 's.csv')).toThrow(/line 2 has no path/);
    expect(() => parseCsvSpec('path,namespace\na,x\na,y\n', 's.csv')).toThrow(/second namespace "y"/);
    expect(() => parseCsvSpec('path,property,secretKey\na,p,\na,,K\n', 's.csv')).toThrow(/with and without a property/);
    expect(() => parseCsvSpec('path\n"a\n', 's.csv')).toThrow(/unterminated/);
    expect(() => parseCsvSpec('', 's.csv')).toThrow(/empty/);
  });
});
