import { beforeAll, describe, expect, it } from 'vitest';
import { planMigration } from '../../../src/eso/migrate.js';
import { toYaml } from '../../../src/manifest/write.js';
import type { Secret } from '../../../src/manifest/objects.js';
import { crdErrors, loadCrds } from './crd-schema.js';

beforeAll(loadCrds, 120_000);

const CANARY = 'CANARY-migrate-93be';
const options = { prefix: 'myapp/production/', store: { name: 'aws', kind: 'ClusterSecretStore' as const }, refreshInterval: '1h', apiVersion: 'v1' as const };

describe('planMigration', () => {
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'prod', labels: { app: 'db' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'x' } },
    type: 'kubernetes.io/basic-auth',
    data: { username: Buffer.from('admin').toString('base64'), blob: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') },
    stringData: { password: CANARY },
  };

  it('packs the keys into one JSON payload and maps them back, binary keys via Base64', () => {
    const item = planMigration(secret, 's.yaml', options);
    expect(item.awsName).toBe('myapp/production/db');
    expect(item.keys).toEqual(['username', 'blob', 'password']);
    expect(item.base64Keys).toEqual(['blob']);
    expect(JSON.parse(item.payload)).toEqual({ username: 'admin', blob: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'), password: CANARY });
    expect(item.externalSecret).toMatchObject({
      metadata: { name: 'db', namespace: 'prod' },
      spec: {
        target: { name: 'db', creationPolicy: 'Owner', template: { type: 'kubernetes.io/basic-auth', metadata: { labels: { app: 'db' }, annotations: { note: 'x' } } } },
        data: [
          { secretKey: 'username', remoteRef: { key: 'myapp/production/db', property: 'username' } },
          { secretKey: 'blob', remoteRef: { key: 'myapp/production/db', property: 'blob', decodingStrategy: 'Base64' } },
          { secretKey: 'password', remoteRef: { key: 'myapp/production/db', property: 'password' } },
        ],
      },
    });
    expect(crdErrors(item.externalSecret)).toEqual([]);
    // the manifest that gets printed never holds a value
    expect(toYaml(item.externalSecret)).not.toContain(CANARY);
    expect(toYaml(item.externalSecret)).not.toContain('admin');
  });

  it('refuses Secrets without a name or data', () => {
    expect(() => planMigration({ kind: 'Secret', metadata: {} }, 's.yaml', options)).toThrow(/no metadata.name/);
    expect(() => planMigration({ kind: 'Secret', metadata: { name: 'a' } }, 's.yaml', options)).toThrow(/no data/);
  });
});
