import { describe, expect, it } from 'vitest';
import { findReferences, isWorkload, podTemplateOf } from '../../../src/config-hash/references.js';
import type { KubeObject } from '../../../src/manifest/objects.js';

const podSpec = { containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'cm' } }] }] };
const template = { metadata: { labels: { app: 'a' } }, spec: podSpec };

describe('podTemplateOf', () => {
  const cases: [string, string, KubeObject, string[]][] = [
    ['Deployment', 'apps/v1', { spec: { template } }, ['spec', 'template']],
    ['StatefulSet', 'apps/v1', { spec: { template } }, ['spec', 'template']],
    ['DaemonSet', 'apps/v1', { spec: { template } }, ['spec', 'template']],
    ['ReplicaSet', 'apps/v1', { spec: { template } }, ['spec', 'template']],
    ['Job', 'batch/v1', { spec: { template } }, ['spec', 'template']],
    ['CronJob', 'batch/v1', { spec: { jobTemplate: { spec: { template } } } }, ['spec', 'jobTemplate', 'spec', 'template']],
    ['Rollout', 'argoproj.io/v1alpha1', { spec: { template } }, ['spec', 'template']],
  ];
  it.each(cases)('%s', (kind, apiVersion, body, path) => {
    const found = podTemplateOf({ ...body, kind, apiVersion });
    expect(found?.path).toEqual(path);
    expect(found?.template).toBe(template);
    expect(found?.spec).toBe(podSpec);
    expect(found?.workloadRef).toBeUndefined();
  });

  it('notes an Argo Rollout workloadRef', () => {
    const found = podTemplateOf({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
    });
    expect(found?.template).toBeUndefined();
    expect(found?.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
  });

  it('ignores objects that are not workloads', () => {
    expect(podTemplateOf({ apiVersion: 'v1', kind: 'ConfigMap' })).toBeUndefined();
    expect(podTemplateOf({ apiVersion: 'v1', kind: 'Pod', spec: podSpec })).toBeUndefined();
    expect(podTemplateOf({ apiVersion: 'example.com/v1', kind: 'Deployment', spec: { template } })).toBeUndefined();
    expect(isWorkload({ apiVersion: 'apps/v1', kind: 'Deployment' })).toBe(true);
    expect(isWorkload({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow' })).toBe(false);
  });

  it('tolerates a workload without a template', () => {
    expect(podTemplateOf({ apiVersion: 'apps/v1', kind: 'Deployment' })).toEqual({ path: ['spec', 'template'], template: undefined, spec: undefined });
  });
});

describe('findReferences', () => {
  it('finds every reference form in init, regular and ephemeral containers and volumes', () => {
    const spec = {
      initContainers: [{ name: 'init', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'init-cm', key: 'k' } } }] }],
      containers: [
        {
          name: 'app',
          env: [
            { name: 'PLAIN', value: 'x' },
            { name: 'B', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } },
            { name: 'C', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          envFrom: [{ configMapRef: { name: 'from-cm' } }, { secretRef: { name: 'from-secret', optional: true }, prefix: 'S_' }],
        },
      ],
      ephemeralContainers: [{ name: 'debug', envFrom: [{ secretRef: { name: 'debug-secret' } }] }],
      volumes: [
        { name: 'v1', configMap: { name: 'vol-cm', optional: true } },
        { name: 'v2', secret: { secretName: 'vol-secret' } },
        { name: 'v3', projected: { sources: [{ configMap: { name: 'proj-cm' } }, { secret: { name: 'proj-secret', optional: true } }, { serviceAccountToken: { path: 't' } }] } },
        { name: 'v4', emptyDir: {} },
      ],
      imagePullSecrets: [{ name: 'regcred' }],
    };
    expect(findReferences(spec)).toEqual([
      { kind: 'ConfigMap', name: 'init-cm', optional: false, via: 'env' },
      { kind: 'Secret', name: 'env-secret', optional: false, via: 'env' },
      { kind: 'ConfigMap', name: 'from-cm', optional: false, via: 'envFrom' },
      { kind: 'Secret', name: 'from-secret', optional: true, via: 'envFrom' },
      { kind: 'Secret', name: 'debug-secret', optional: false, via: 'envFrom' },
      { kind: 'ConfigMap', name: 'vol-cm', optional: true, via: 'volume' },
      { kind: 'Secret', name: 'vol-secret', optional: false, via: 'volume' },
      { kind: 'ConfigMap', name: 'proj-cm', optional: false, via: 'projected' },
      { kind: 'Secret', name: 'proj-secret', optional: true, via: 'projected' },
    ]);
    expect(findReferences(spec, { imagePullSecrets: true }).at(-1)).toEqual({ kind: 'Secret', name: 'regcred', optional: false, via: 'imagePullSecret' });
  });

  it('deduplicates by kind and name; one required use makes it required', () => {
    const spec = {
      containers: [
        { name: 'a', envFrom: [{ configMapRef: { name: 'same', optional: true } }, { secretRef: { name: 'same', optional: true } }] },
        { name: 'b', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'same', key: 'k' } } }] },
      ],
      volumes: [{ name: 'v', secret: { secretName: 'same', optional: true } }],
    };
    expect(findReferences(spec)).toEqual([
      { kind: 'ConfigMap', name: 'same', optional: false, via: 'envFrom' },
      { kind: 'Secret', name: 'same', optional: true, via: 'envFrom' },
    ]);
  });

  it('skips malformed or nameless references instead of failing', () => {
    expect(findReferences(undefined)).toEqual([]);
    expect(findReferences({ containers: 'x', volumes: [null, { configMap: {} }, { secret: { name: 'wrong-field' } }] })).toEqual([]);
  });
});
