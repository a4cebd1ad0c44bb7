import { describe, expect, it } from 'vitest';
import { ANN, DEFAULT_KEYS } from '../../../src/watch/policy.js';
import { configRecord, containerUsing, workloadRecord } from '../../../src/watch/state.js';

const cmVol = (name: string, cm: string) => ({ name, configMap: { name: cm } });

describe("containerUsing (Reloader's getContainerUsingResource)", () => {
  const spec = {
    initContainers: [{ name: 'init', volumeMounts: [{ name: 'init-vol' }], envFrom: [{ secretRef: { name: 'init-secret' } }] }],
    containers: [
      { name: 'app', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'both', key: 'k' } } }] },
      { name: 'side', volumeMounts: [{ name: 'v' }, { name: 'p' }], envFrom: [{ secretRef: { name: 's' } }, { configMapRef: { name: 'env-only' } }] },
    ],
    volumes: [
      cmVol('v', 'mounted'),
      cmVol('both-vol', 'both'),
      cmVol('init-vol', 'init-cm'),
      cmVol('unmounted', 'nobody'),
      { name: 'p', projected: { sources: [{ secret: { name: 'projected-s' } }] } },
    ],
  };
  it('the container mounting its volume, else the one referencing it in env, init-only: the first, unused: none', () => {
    expect(containerUsing(spec, 'ConfigMap', 'mounted')).toBe('side');
    expect(containerUsing(spec, 'Secret', 'projected-s')).toBe('side');
    expect(containerUsing(spec, 'ConfigMap', 'env-only')).toBe('side');
    expect(containerUsing(spec, 'Secret', 's')).toBe('side');
    // volume not mounted by anyone: falls through to the env reference
    expect(containerUsing(spec, 'ConfigMap', 'both')).toBe('app');
    expect(containerUsing(spec, 'ConfigMap', 'init-cm')).toBe('app');
    expect(containerUsing(spec, 'Secret', 'init-secret')).toBe('app');
    expect(containerUsing(spec, 'ConfigMap', 'nobody')).toBeUndefined();
  });

  it('the workload record keeps where each STAKATER_* variable is and which non-first container uses a config', () => {
    const side = { ...spec.containers[1]!, env: [{ name: 'STAKATER_MOUNTED_CONFIGMAP', value: 'h' }] };
    const w = workloadRecord('Deployment', {
      metadata: { name: 'w', namespace: 'n' },
      spec: { template: { spec: { ...spec, containers: [spec.containers[0]!, side] } } },
    } as any)!;
    expect(w.firstContainer).toBe('app');
    expect(w.env).toEqual({ STAKATER_MOUNTED_CONFIGMAP: 'h' });
    expect(w.envContainers).toEqual({ STAKATER_MOUNTED_CONFIGMAP: 'side' });
    expect(w.users).toEqual({ 'ConfigMap/mounted': 'side', 'ConfigMap/env-only': 'side', 'Secret/s': 'side', 'Secret/projected-s': 'side' });
  });
});

describe('annotation-key overrides', () => {
  it('a workload record holds the configured keys under the default ones; the defaults then mean nothing', () => {
    const keys = { ...DEFAULT_KEYS, auto: 'example.com/auto', configmapReload: 'example.com/cm', pausePeriod: 'example.com/pause' };
    const obj = {
      metadata: { name: 'w', namespace: 'n', annotations: { 'example.com/auto': 'true', 'example.com/pause': '5m', [ANN.secretReload]: 's', [ANN.auto]: 'false' } },
      spec: { template: { metadata: { annotations: { 'example.com/cm': 'a' } }, spec: { containers: [{ name: 'c' }] } } },
    };
    const w = workloadRecord('Deployment', obj as any, keys)!;
    expect(w.annotations).toEqual({ [ANN.auto]: 'true', [ANN.pausePeriod]: '5m', [ANN.secretReload]: 's' });
    expect(w.podAnnotations).toEqual({ [ANN.configmapReload]: 'a' });
    expect(workloadRecord('Deployment', obj as any)!.annotations).toEqual({ [ANN.auto]: 'false', [ANN.secretReload]: 's' });
  });
  it('the match key is configurable on configs', () => {
    const cm = { metadata: { name: 'c', annotations: { 'example.com/match': 'true', [ANN.match]: 'true' } }, data: {} };
    expect(configRecord('ConfigMap', cm as any, false, undefined, { ...DEFAULT_KEYS, match: 'example.com/match' })!.match).toBe(true);
    expect(configRecord('ConfigMap', { ...cm, metadata: { name: 'c', annotations: { [ANN.match]: 'true' } } } as any, false, undefined, { ...DEFAULT_KEYS, match: 'example.com/match' })!.match).toBe(false);
  });
});
