/**
 * kubectl's connection flags over a kubeconfig (src/kube/config.ts, connection.ts): which server,
 * which credentials and which headers a request carries. The e2e suite checks the same flags
 * against the bed's real kube-apiserver (test/e2e/kube/connection-flags.test.ts).
 */
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKubeClient } from '../../../src/kube/config.js';
import { parseRequestTimeout } from '../../../src/commands/shared-flags.js';
import { formatError } from '../../../src/errors.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

type Seen = { url?: string; headers: http.IncomingHttpHeaders; raw: string[] };

function listen(handler?: http.RequestListener): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers, raw: req.rawHeaders });
    if (handler) handler(req, res);
    else res.end('{}');
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen })));
}

function kubeconfig(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-kc-flags-'));
  const file = join(dir, 'config');
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Config', ...config }));
  return file;
}

/** two clusters, two users, two contexts; current-context a */
function twoOfEach(a: string, b: string): string {
  return kubeconfig({
    clusters: [
      { name: 'ca', cluster: { server: a } },
      { name: 'cb', cluster: { server: b } },
    ],
    users: [
      { name: 'ua', user: { token: 'token-a' } },
      { name: 'ub', user: { token: 'token-b', as: 'kc-impersonated', 'as-groups': ['kc-group'] } },
    ],
    contexts: [
      { name: 'a', context: { cluster: 'ca', user: 'ua', namespace: 'ns-a' } },
      { name: 'b', context: { cluster: 'cb', user: 'ub' } },
    ],
    'current-context': 'a',
  });
}

const get = async (options: Parameters<typeof loadKubeClient>[0]) => (await loadKubeClient(options)).request('GET', '/api');

describe('connection flags over the kubeconfig', { timeout: 60_000 }, () => {
  it('--context, --cluster and --user pick kubeconfig entries; --server and --token override their fields', async () => {
    const a = await listen();
    const b = await listen();
    const file = twoOfEach(a.url, b.url);
    await get({ kubeconfig: file });
    await get({ kubeconfig: file, context: 'b' });
    await get({ kubeconfig: file, cluster: 'cb' });
    await get({ kubeconfig: file, user: 'ub' });
    await get({ kubeconfig: file, server: b.url, token: 'flag-token' });
    expect(a.seen.map((s) => s.headers.authorization)).toEqual(['Bearer token-a', 'Bearer token-b']);
    expect(b.seen.map((s) => s.headers.authorization)).toEqual(['Bearer token-b', 'Bearer token-a', 'Bearer flag-token']);
    // the context's namespace stays with --cluster / --user
    expect((await loadKubeClient({ kubeconfig: file, user: 'ub' })).namespace).toBe('ns-a');
  });

  it('--server and --token work with no kubeconfig at all', async () => {
    const s = await listen();
    const home = mkdtempSync(join(tmpdir(), 'ksec-home-'));
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
    Object.assign(process.env, { HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' });
    try {
      const client = await loadKubeClient({ server: s.url, token: 'only-flags' });
      expect(client.server).toBe(s.url);
      await client.request('GET', '/api');
      expect(s.seen[0]!.headers.authorization).toBe('Bearer only-flags');
      await expect(loadKubeClient({ token: 'x' })).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/^no Kubernetes configuration found: .*no --server/) });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('--as and --as-group send Impersonate-User and one Impersonate-Group header per group, over the user\'s as / as-groups', async () => {
    const a = await listen();
    const b = await listen();
    const file = twoOfEach(a.url, b.url);
    await get({ kubeconfig: file, as: 'jane', asGroups: ['dev', 'ops'] });
    await get({ kubeconfig: file, context: 'b' });
    await get({ kubeconfig: file, context: 'b', as: 'flag-user' });
    const groupLines = (s: Seen) => s.raw.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'impersonate-group').length;
    expect(a.seen[0]!.headers['impersonate-user']).toBe('jane');
    expect(a.seen[0]!.headers['impersonate-group']).toBe('dev, ops');
    expect(groupLines(a.seen[0]!)).toBe(2);
    expect(b.seen[0]!.headers['impersonate-user']).toBe('kc-impersonated');
    expect(b.seen[0]!.headers['impersonate-group']).toBe('kc-group');
    // a set --as replaces the kubeconfig's as; its as-groups stay unless --as-group is given (client-go's merge)
    expect(b.seen[1]!.headers['impersonate-user']).toBe('flag-user');
    expect(b.seen[1]!.headers['impersonate-group']).toBe('kc-group');
  });

  it('KUBECONFIG lists are merged: the first file naming an entry wins', async () => {
    const a = await listen();
    const b = await listen();
    const first = kubeconfig({ contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x', users: [{ name: 'u', user: { token: 'first' } }] });
    const second = kubeconfig({ clusters: [{ name: 'c', cluster: { server: a.url } }], users: [{ name: 'u', user: { token: 'second' } }], 'current-context': 'y' });
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = [first, second].join(delimiter);
    try {
      await get({});
      expect(a.seen[0]!.headers.authorization).toBe('Bearer first');
      expect(b.seen).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it('names that do not exist and flag combinations kubectl refuses are exit 2 with one line', async () => {
    const a = await listen();
    const file = twoOfEach(a.url, a.url);
    const fail = (o: Parameters<typeof loadKubeClient>[0]) => loadKubeClient(o).then(() => undefined, (e: unknown) => e);
    expect(formatError(await fail({ kubeconfig: file, context: 'nope' }))).toMatch(/^[^:]+config: context "nope" does not exist in the kubeconfig/);
    expect(await fail({ kubeconfig: file, cluster: 'nope' })).toMatchObject({ exitCode: 2, message: 'cluster "nope" does not exist in the kubeconfig' });
    expect(await fail({ kubeconfig: file, user: 'nope' })).toMatchObject({ exitCode: 2, message: 'auth info "nope" does not exist in the kubeconfig' });
    expect(await fail({ kubeconfig: file, asGroups: ['g'] })).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--as-group needs --as/) });
    expect(await fail({ kubeconfig: file, insecureSkipTlsVerify: true, certificateAuthority: file })).toMatchObject({ exitCode: 2 });
    expect(await fail({ kubeconfig: file, clientCertificate: file })).toMatchObject({ exitCode: 2, message: expect.stringMatching(/needs its key/) });
    expect(await fail({ kubeconfig: file, clientKey: '/nonexistent/key.pem' })).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^cannot read the --client-key file: /) });
    expect(await fail({ server: 'example.com:6443' })).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--server must be an http\(s\) URL/) });
  });

  it('--request-timeout caps each request; 0 means none beyond the caller\'s own', async () => {
    const slow = await listen((_req, res) => setTimeout(() => res.end('{}'), 400));
    const file = twoOfEach(slow.url, slow.url);
    const err = await get({ kubeconfig: file, requestTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
    expect((await get({ kubeconfig: file, requestTimeoutMs: 0 })).status).toBe(200);
  });
});

describe('parseRequestTimeout (client-go ParseTimeout)', () => {
  it('takes integer seconds and Go durations; refuses the rest with kubectl\'s words', () => {
    expect(parseRequestTimeout('0')).toBe(0);
    expect(parseRequestTimeout('10')).toBe(10_000);
    expect(parseRequestTimeout('1.5s')).toBe(1500);
    expect(parseRequestTimeout('1h30m')).toBe(5_400_000);
    expect(parseRequestTimeout('300ms')).toBe(300);
    expect(parseRequestTimeout('2m')).toBe(120_000);
    expect(parseRequestTimeout('500us')).toBe(0.5);
    for (const bad of ['', '-1', '-1s', '1x', 'abc', '1 s', 's']) {
      expect(() => parseRequestTimeout(bad)).toThrow(/invalid --request-timeout .*single integer in seconds/);
    }
  });
});
