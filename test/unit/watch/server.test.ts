import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer, parseAddress } from '../../../src/watch/server.js';
import { WatchMetrics } from '../../../src/watch/metrics.js';

function get(port: number, path: string): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    }).on('error', reject);
  });
}

describe('server', () => {
  it('serves /healthz, /readyz (503 until synced) and Prometheus /metrics', async () => {
    const metrics = new WatchMetrics();
    let ready = false;
    const s = await startServer({ address: '127.0.0.1:0', metrics, healthy: () => true, ready: () => ready });
    try {
      expect((await get(s.port, '/healthz')).status).toBe(200);
      expect((await get(s.port, '/readyz')).status).toBe(503);
      ready = true;
      expect((await get(s.port, '/readyz')).status).toBe(200);
      metrics.reloads.inc({ kind: 'Deployment', namespace: 'a"b', result: 'success' });
      metrics.latency.observe(0.03);
      const m = await get(s.port, '/metrics');
      expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(m.body).toContain('# TYPE ksec_watch_reloads_total counter');
      expect(m.body).toContain('ksec_watch_reloads_total{kind="Deployment",namespace="a\\"b",result="success"} 1');
      expect(m.body).toContain('ksec_watch_event_to_patch_seconds_bucket{le="0.05"} 1');
      expect(m.body).toContain('ksec_watch_event_to_patch_seconds_bucket{le="0.025"} 0');
      expect(m.body).toContain('ksec_watch_event_to_patch_seconds_count 1');
      expect((await get(s.port, '/nope')).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('parses listen addresses', () => {
    expect(parseAddress(':9090')).toEqual({ host: undefined, port: 9090 });
    expect(parseAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseAddress('localhost')).toThrow();
  });
});
