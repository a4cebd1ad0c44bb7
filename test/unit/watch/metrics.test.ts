import { describe, expect, it } from 'vitest';
import { WatchMetrics } from '../../../src/watch/metrics.js';

describe('WatchMetrics', () => {
  it('types every family as what it is: counters (incl. the collected request count), gauges, a histogram', () => {
    const m = new WatchMetrics();
    let requests = 41;
    m.apiRequests.collect(() => ++requests);
    m.queueDepth.set(3);
    m.leader.collect(() => 1);
    m.relists.inc({ resource: 'secrets' });
    m.relists.inc({ resource: 'secrets' });
    const text = m.render();
    const types = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((x) => [x[1], x[2]]));
    expect(types).toEqual({
      ksec_watch_reloads_total: 'counter',
      ksec_watch_events_received_total: 'counter',
      ksec_watch_relists_total: 'counter',
      ksec_watch_queue_depth: 'gauge',
      ksec_watch_is_leader: 'gauge',
      ksec_watch_api_requests_total: 'counter',
      ksec_watch_event_to_patch_seconds: 'histogram',
      ksec_watch_cached_objects: 'gauge',
      reloader_reload_executed_total: 'counter',
    });
    expect(text).toContain('\nksec_watch_api_requests_total 42\n');
    expect(text).toContain('\nksec_watch_queue_depth 3\n');
    expect(text).toContain('\nksec_watch_is_leader 1\n');
    expect(text).toContain('\nksec_watch_relists_total{resource="secrets"} 2\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it("exports Reloader's reload counter too (both success values from the start; by namespace when enabled)", () => {
    const m = new WatchMetrics();
    expect(m.render()).toContain('\nreloader_reload_executed_total{success="true"} 0\nreloader_reload_executed_total{success="false"} 0\n');
    m.recordReload('Deployment', 'app', 'success');
    m.recordReload('Deployment', 'app', 'failure');
    m.recordReload('Deployment', 'app', 'dry-run');
    const text = m.render();
    expect(text).toContain('\nreloader_reload_executed_total{success="true"} 1\nreloader_reload_executed_total{success="false"} 1\n');
    expect(text).toContain('ksec_watch_reloads_total{kind="Deployment",namespace="app",result="dry-run"} 1');
    expect(text).not.toContain('by_namespace');
    const byNs = new WatchMetrics(true);
    byNs.recordReload('StatefulSet', 'db', 'success');
    expect(byNs.render()).toContain('\nreloader_reload_executed_total_by_namespace{success="true",namespace="db"} 1\n');
  });
});
