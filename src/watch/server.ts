/** /healthz (the process and its loops are alive), /readyz (caches synced), /metrics (Prometheus text). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WatchMetrics } from './metrics.js';

export interface ServerOptions {
  /** `host:port`, `:port` or a port number; port 0 picks a free one */
  address: string;
  metrics: WatchMetrics;
  healthy(): boolean;
  ready(): boolean;
}

export function parseAddress(address: string): { host: string | undefined; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`not an address: ${address}`);
  const host = m[1] === undefined || m[1] === '' ? undefined : m[1].replace(/^\[|\]$/g, '');
  return { host, port: Number(m[2]) };
}

export async function startServer(options: ServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (url === '/healthz') return options.healthy() ? send(200, 'ok\n') : send(503, 'unhealthy\n');
    if (url === '/readyz') return options.ready() ? send(200, 'ok\n') : send(503, 'caches not synced\n');
    if (url === '/metrics') return send(200, options.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
    send(404, 'not found\n');
  });
  const { host, port } = parseAddress(options.address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // idle keep-alive connections (scrapers, probes) would hold shutdown for seconds
        server.closeAllConnections();
      }),
  };
}
