import { describe, expect, it } from 'vitest';
import { watchOptions } from '../../../src/commands/watch.js';

describe('watch flags', () => {
  const base = {
    namespaces: [], namespacesToIgnore: [], resourcesToIgnore: [], ignoredWorkloadTypes: [], reloadStrategy: 'annotations', debounce: '2s', minInterval: '0s',
    patchQps: '10', patchBurst: '20', events: true, leaseName: 'l', leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s', metricsAddress: ':9090',
    watchTimeout: '10m', watchInactivityTimeout: '2m', rolloutsDiscoveryInterval: '1m', logLevel: 'info',
  };
  it('parses durations and lists', () => {
    const o = watchOptions({ ...base, resourcesToIgnore: ['configMaps'], enableHa: true });
    expect(o).toMatchObject({ debounceMs: 2000, resourcesToIgnore: ['configmaps'], leaderElect: true, watchTimeoutSeconds: [300, 600], inactivityMs: 120_000, rolloutsDiscoveryMs: 60_000 });
    expect(watchOptions({ ...base, rolloutsDiscoveryInterval: '0' }).rolloutsDiscoveryMs).toBe(0);
  });
  it('rejects bad values with one line naming the flag', () => {
    expect(() => watchOptions({ ...base, reloadStrategy: 'restart' })).toThrow(/--reload-strategy/);
    expect(() => watchOptions({ ...base, debounce: 'soon' })).toThrow(/--debounce/);
    expect(() => watchOptions({ ...base, renewDeadline: '20s' })).toThrow(/lease timing/);
    expect(() => watchOptions({ ...base, resourcesToIgnore: ['configmaps', 'secrets'] })).toThrow(/nothing to watch/);
    expect(() => watchOptions({ ...base, patchQps: '0' })).toThrow(/--patch-qps/);
    expect(() => watchOptions({ ...base, rolloutsDiscoveryInterval: 'later' })).toThrow(/--rollouts-discovery-interval/);
  });
});
