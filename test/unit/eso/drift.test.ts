import { describe, expect, it } from 'vitest';
import { formatDrift, manifestDrift } from '../../../src/eso/drift.js';

const es = (name: string, data: { secretKey: string; property?: string }[]) => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name, namespace: 'prod' },
  spec: { secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' }, data: data.map((d) => ({ secretKey: d.secretKey, remoteRef: { key: `app/${name}`, property: d.property } })) },
});
const kust = (...resources: string[]) => ({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });

describe('manifestDrift', () => {
  it('is empty when every file matches', () => {
    const expected = [{ file: 'prod_db.yaml', object: es('db', [{ secretKey: 'a', property: 'a' }]) }, { file: 'kustomization.yaml', object: kust('prod_db.yaml') }];
    const committed = new Map(expected.map((e) => [e.file, structuredClone(e.object)]));
    expect(manifestDrift(expected, committed)).toEqual([]);
  });

  it('names new, stale and changed files, data entries by secretKey, never a value', () => {
    const expected = [
      { file: 'prod_db.yaml', object: es('db', [{ secretKey: 'a', property: 'a' }, { secretKey: 'c', property: 'c' }]) },
      { file: 'prod_new.yaml', object: es('new', [{ secretKey: 'x' }]) },
      { file: 'kustomization.yaml', object: kust('prod_db.yaml', 'prod_new.yaml') },
    ];
    const committed = new Map<string, unknown>([
      ['prod_db.yaml', es('db', [{ secretKey: 'a', property: 'a' }, { secretKey: 'b', property: 'b' }])],
      ['prod_gone.yaml', es('gone', [{ secretKey: 'y' }])],
      ['kustomization.yaml', kust('prod_db.yaml', 'prod_gone.yaml')],
      ['notes.yaml', { kind: 'ConfigMap', metadata: { name: 'unrelated' } }],
    ]);
    const lines = manifestDrift(expected, committed).map(formatDrift);
    expect(lines).toEqual([
      'kustomization.yaml: Kustomization differs at resources (+prod_new.yaml -prod_gone.yaml)',
      'prod_db.yaml: ExternalSecret prod/db differs at spec.data[secretKey=c] (missing), spec.data[secretKey=b] (not produced now)',
      'prod_gone.yaml: ExternalSecret prod/gone is no longer generated (gone from AWS, or renamed)',
      'prod_new.yaml: ExternalSecret prod/new is missing (generate would write it now)',
    ]);
  });

  it('reports a changed property, a reordered list and a file that does not parse', () => {
    const want = es('db', [{ secretKey: 'a', property: 'a' }, { secretKey: 'b', property: 'b' }]);
    const have = es('db', [{ secretKey: 'b', property: 'b' }, { secretKey: 'a', property: 'A' }]);
    const [d] = manifestDrift([{ file: 'f.yaml', object: want }], new Map([['f.yaml', have]]));
    expect(d!.fields).toEqual(['spec.data[secretKey=a].remoteRef.property', 'spec.data (order)']);
    const [bad] = manifestDrift([{ file: 'f.yaml', object: want }], new Map([['f.yaml', undefined]]));
    expect(formatDrift(bad!)).toBe('f.yaml: ExternalSecret prod/db differs at (the file is not one YAML object)');
  });
});
