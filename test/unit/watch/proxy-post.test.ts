import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProxyUrl, postThroughProxy } from '../../../src/watch/proxy-post.js';
import { ReloadAlerter } from '../../../src/watch/alerts.js';
import { createLogger } from '../../../src/watch/log.js';
import { startTestProxy, type TestProxy } from '../../helpers/http-proxy.js';

type Got = { path: string; type?: string; body: string; proxyAuth?: string };
const got: Got[] = [];
const collect = (req: http.IncomingMessage, res: http.ServerResponse) => {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    got.push({ path: req.url ?? '', type: req.headers['content-type'], body, ...(req.headers['proxy-authorization'] ? { proxyAuth: String(req.headers['proxy-authorization']) } : {}) });
    res.writeHead(req.url?.includes('redirect') ? 302 : 200, req.url?.includes('redirect') ? { location: 'http://127.0.0.1:1/' } : {}).end('ok');
  });
};
let proxy: TestProxy;
let plain: http.Server;
let secure: https.Server;
let ca: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-proxy-test-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'c.pem'), 'utf8');
  proxy = await startTestProxy();
  plain = http.createServer(collect);
  secure = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: ca }, collect);
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await proxy.close();
  plain.close();
  secure.close();
});

const port = (s: http.Server) => (s.address() as AddressInfo).port;

describe('ALERT_WEBHOOK_PROXY (postThroughProxy)', () => {
  it('parses only http(s) proxy URLs', () => {
    expect(parseProxyUrl('http://proxy:3128')?.host).toBe('proxy:3128');
    expect(parseProxyUrl('https://u:p@proxy')?.username).toBe('u');
    for (const bad of ['proxy:3128', 'socks5://p:1080', 'not a url', '']) expect(parseProxyUrl(bad)).toBeUndefined();
  });

  it('an http:// target: one forward request with the absolute URL, credentials as Proxy-Authorization', async () => {
    got.length = 0;
    proxy.seen.length = 0;
    const target = new URL(`http://127.0.0.1:${port(plain)}/hook/T0KEN?x=1`);
    const withCreds = new URL(proxy.url);
    withCreds.username = 'us%40r';
    withCreds.password = 'p%3Ass';
    const status = await postThroughProxy({ proxy: withCreds, target, headers: { 'content-type': 'text/plain' }, body: 'hello', timeoutMs: 5000 });
    expect(status).toBe(200);
    expect(proxy.seen).toEqual([{ method: 'POST', target: target.href, proxyAuthorization: `Basic ${Buffer.from('us@r:p:ss').toString('base64')}` }]);
    expect(got).toEqual([{ path: '/hook/T0KEN?x=1', type: 'text/plain', body: 'hello' }]); // the proxy header does not reach the receiver
  });

  it('an https:// target: a CONNECT tunnel to host:port, TLS to the receiver; the proxy never sees the path', async () => {
    got.length = 0;
    proxy.seen.length = 0;
    const target = new URL(`https://localhost:${port(secure)}/services/T0KEN`);
    const status = await postThroughProxy({ proxy: new URL(proxy.url), target, headers: { 'content-type': 'application/json' }, body: '{"text":"x"}', timeoutMs: 5000, ca });
    expect(status).toBe(200);
    expect(proxy.seen).toEqual([{ method: 'CONNECT', target: `localhost:${port(secure)}` }]);
    expect(got).toEqual([{ path: '/services/T0KEN', type: 'application/json', body: '{"text":"x"}' }]);
  });

  it('a refused tunnel, an unreachable proxy and the TLS check are errors; a redirect is not followed', async () => {
    const target = new URL(`https://localhost:${port(secure)}/x`);
    await expect(postThroughProxy({ proxy: new URL(proxy.url), target: new URL('https://192.0.2.1:443/x'), headers: {}, body: '', timeoutMs: 5000 })).rejects.toThrow(/CONNECT answered 403/);
    await expect(postThroughProxy({ proxy: new URL('http://127.0.0.1:1'), target, headers: {}, body: '', timeoutMs: 5000 })).rejects.toThrow(/ECONNREFUSED/);
    await expect(postThroughProxy({ proxy: new URL(proxy.url), target, headers: {}, body: '', timeoutMs: 5000 })).rejects.toThrow(/self.signed|certificate/i);
    const status = await postThroughProxy({ proxy: new URL(proxy.url), target: new URL(`http://127.0.0.1:${port(plain)}/redirect`), headers: {}, body: '', timeoutMs: 5000 });
    expect(status).toBe(302);
  });

  it('ReloadAlerter sends through the proxy and logs neither the proxy credentials nor the token', async () => {
    got.length = 0;
    proxy.seen.length = 0;
    const logs: string[] = [];
    const withCreds = new URL(proxy.url);
    withCreds.username = 'user';
    withCreds.password = 'PR0XYPASS';
    const a = new ReloadAlerter({ url: `http://127.0.0.1:${port(plain)}/T0KEN`, sink: 'slack', proxy: withCreds, log: createLogger('debug', (l) => logs.push(l)) });
    a.reloaded('Deployment', 'ns', 'web', ['Secret/s']);
    await a.idle();
    expect(proxy.seen.map((s) => s.method)).toEqual(['POST']);
    expect(JSON.parse(got[0]!.body).attachments[0].text).toContain('*s* of type *SECRET*');
    const failing = new ReloadAlerter({ url: `http://127.0.0.1:${port(plain)}/T0KEN`, sink: 'raw', proxy: new URL('http://user:PR0XYPASS@127.0.0.1:1'), log: createLogger('debug', (l) => logs.push(l)) });
    failing.reloaded('Deployment', 'ns', 'web', ['Secret/s']);
    await failing.idle();
    expect(logs.join('')).toContain('could not send reload alert');
    expect(logs.join('')).not.toMatch(/T0KEN|PR0XYPASS/);
  });
});
