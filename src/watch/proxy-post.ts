/**
 * One POST through an HTTP proxy, as Go's http.Transport does it with
 * http.ProxyURL (what Reloader's alerts use for ALERT_WEBHOOK_PROXY):
 *   - an http:// target is sent to the proxy with the absolute URL as the request target
 *     (a forward proxy request);
 *   - an https:// target goes through a CONNECT tunnel to host:port, then TLS end to end
 *     (the proxy never sees the path, which may hold a webhook's token).
 * The proxy may be http:// or https:// (TLS to the proxy itself); user:password in its URL is
 * sent as Proxy-Authorization: Basic, as Go does. Redirects are not followed (Reloader's alert
 * client refuses them); the caller gets the status. Nothing here logs: the proxy URL may hold a
 * password and the target URL a token.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export interface ProxyPost {
  proxy: URL;
  target: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** extra CA certificates for the target's (and an https proxy's) TLS; default: Node's store */
  ca?: string | Buffer;
}

/** Parses ALERT_WEBHOOK_PROXY; undefined when it is not an http(s) URL with a host. */
export function parseProxyUrl(value: string): URL | undefined {
  try {
    const u = new URL(value);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname) return u;
  } catch {
    /* not a URL */
  }
  return undefined;
}

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(creds).toString('base64')}` };
}

const portOf = (u: URL) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));
const hostOf = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, '$1');

/** Resolves with the response status; rejects on a transport error, a refused CONNECT or the timeout. */
export function postThroughProxy(o: ProxyPost): Promise<number> {
  const viaProxy = o.proxy.protocol === 'https:' ? https : http;
  const proxyTarget = { host: hostOf(o.proxy), port: portOf(o.proxy), ...(o.ca ? { ca: o.ca } : {}) };
  const headers = { ...o.headers, 'content-length': String(Buffer.byteLength(o.body)) };
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    const cleanups: (() => void)[] = [];
    const done = (status: number) => {
      clearTimeout(timer);
      for (const c of cleanups) c();
      resolve(status);
    };
    function fail(err: Error) {
      clearTimeout(timer);
      for (const c of cleanups) c();
      reject(err);
    }
    const send = (req: http.ClientRequest) => {
      cleanups.push(() => req.destroy());
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', fail);
      });
      req.on('error', fail);
      req.end(o.body);
    };
    if (o.target.protocol === 'http:') {
      send(viaProxy.request({ ...proxyTarget, method: 'POST', path: o.target.href, headers: { ...headers, host: o.target.host, ...proxyAuth(o.proxy) } }));
      return;
    }
    const authority = `${o.target.hostname}:${portOf(o.target)}`;
    const connect = viaProxy.request({ ...proxyTarget, method: 'CONNECT', path: authority, headers: { host: authority, ...proxyAuth(o.proxy) } });
    cleanups.push(() => connect.destroy());
    connect.on('error', fail);
    connect.on('connect', (res: http.IncomingMessage, socket: Duplex) => {
      cleanups.push(() => socket.destroy());
      if (res.statusCode !== 200) {
        fail(new Error(`the proxy refused the tunnel (CONNECT answered ${res.statusCode})`));
        return;
      }
      const host = hostOf(o.target);
      const secure = tls.connect({ socket, ...(net.isIP(host) ? {} : { servername: host }), ...(o.ca ? { ca: o.ca } : {}) });
      send(
        https.request({
          host: hostOf(o.target),
          port: portOf(o.target),
          method: 'POST',
          path: `${o.target.pathname}${o.target.search}`,
          headers: { ...headers, host: o.target.host },
          createConnection: () => secure,
        }),
      );
    });
    connect.end();
  });
}
