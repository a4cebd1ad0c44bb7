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
    });
    expect(text).toContain('\nksec_watch_api_requests_total 42\n');
    expect(text).toContain('\nksec_watch_queue_depth 3\n');
    expect(text).toContain('\nksec_watch_is_leader 1\n');
    expect(text).toContain('\nksec_watch_relists_total{resource="secrets"} 2\n');
    expect(text.endsWith('\n')).toBe(true);
  });
});
