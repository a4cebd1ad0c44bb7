import http from 'node:http';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpKubeClient } from '../../../src/kube/client.js';
import { loadKubeClient } from '../../../src/kube/config.js';
import { TokenFile } from '../../../src/kube/token-file.js';
import { writeKubeconfig } from './kubeconfig.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

function listen(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server!.address() as { port: number }).port}`)));
}

describe('HttpKubeClient', () => {
  it('sends the auth headers from the credential loader on every request, with body and content type', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; type?: string; body: string }> = [];
    const url = await listen((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    let n = 0;
    const client = new HttpKubeClient(`${url}/prefix/`, 'ns', async (opts) => {
      opts.headers = { ...(opts.headers as object), authorization: `Bearer t${++n}` };
    });
    const a = await client.request('GET', '/api/v1/configmaps?limit=1');
    const b = await client.request('PATCH', '/apis/apps/v1/namespaces/x/deployments/y', { body: { a: 1 }, contentType: 'application/strategic-merge-patch+json' });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(seen).toEqual([
      { method: 'GET', url: '/prefix/api/v1/configmaps?limit=1', auth: 'Bearer t1', type: undefined, body: '' },
      { method: 'PATCH', url: '/prefix/apis/apps/v1/namespaces/x/deployments/y', auth: 'Bearer t2', type: 'application/strategic-merge-patch+json', body: '{"a":1}' },
    ]);
    expect(client.requestCount).toBe(2);
  });

  it('times out a request that gets no answer', async () => {
    const url = await listen(() => {});
    const client = new HttpKubeClient(url, 'ns', async () => {});
    await expect(client.request('GET', '/x', { timeoutMs: 50 })).rejects.toThrow();
  });
});

describe('loadKubeClient', () => {
  it('in a pod reads the service account files and KUBERNETES_SERVICE_HOST/PORT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-sa-'));
    writeFileSync(join(dir, 'token'), 'tok-1');
    writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'namespace'), 'ksec-system');
    const env = { ...process.env };
    Object.assign(process.env, { KSEC_SERVICEACCOUNT_DIR: dir, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '6443', POD_NAMESPACE: '' });
    try {
      const client = await loadKubeClient({ inCluster: true });
      expect(client.server).toBe('https://10.0.0.1:6443');
      expect(client.namespace).toBe('ksec-system');
    } finally {
      process.env = env;
    }
  });

  it('with no configuration at all says what it looked for and exits 3, instead of trying localhost:8080', async () => {
    const env = { ...process.env };
    const home = mkdtempSync(join(tmpdir(), 'ksec-home-'));
    delete process.env.KUBECONFIG;
    delete process.env.KUBERNETES_SERVICE_HOST;
    process.env.HOME = home;
    try {
      const err = await loadKubeClient({}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ exitCode: 3 });
      expect(String((err as Error).message)).toMatch(/no Kubernetes configuration found: .*KUBECONFIG.*\.kube\/config.*KUBERNETES_SERVICE_HOST/);
    } finally {
      process.env = env;
    }
  });

  it('names the kubeconfig file when it cannot be loaded (exit 2)', async () => {
    await expect(loadKubeClient({ kubeconfig: '/nonexistent/kubeconfig' })).rejects.toMatchObject({ exitCode: 2, file: '/nonexistent/kubeconfig' });
  }, 60_000);
});

/** A kubeconfig in a fresh directory with user u (as given) and `tok` beside it holding fileToken. */
function kubeconfigWithUser(server: string, user: Record<string, string>, fileToken: string, namespace?: string): { dir: string; kubeconfig: string } {
  const written = writeKubeconfig({ server }, user, namespace);
  writeFileSync(join(written.dir, 'tok'), fileToken);
  return written;
}

describe('token files', () => {
  it('TokenFile re-reads a rotated file (rewritten in place or renamed over) and after invalidate()', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-tok-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'token-a\n');
    const t = new TokenFile(file);
    expect(t.read()).toBe('token-a');
    // kubelet-style: a new file renamed over the old one
    writeFileSync(join(dir, 'next'), 'token-b');
    renameSync(join(dir, 'next'), file);
    expect(t.read()).toBe('token-b');
    t.invalidate();
    expect(t.read()).toBe('token-b');
  });

  it('a kubeconfig user with tokenFile (client-go key, relative path) is authenticated with the file, re-read when it changes and after a 401', async () => {
    const auths: Array<string | undefined> = [];
    let status = 200;
    const url = await listen((req, res) => {
      auths.push(req.headers.authorization);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const { dir, kubeconfig } = kubeconfigWithUser(url, { tokenFile: 'tok' }, 'file-token-1', 'n1');
    const client = await loadKubeClient({ kubeconfig });
    await client.request('GET', '/a');
    writeFileSync(join(dir, 'next'), 'file-token-2');
    renameSync(join(dir, 'next'), join(dir, 'tok'));
    await client.request('GET', '/b');
    status = 401;
    await client.request('GET', '/c');
    status = 200;
    await client.request('GET', '/d');
    expect(auths).toEqual(['Bearer file-token-1', 'Bearer file-token-2', 'Bearer file-token-2', 'Bearer file-token-2']);
    expect(client.namespace).toBe('n1');
  }, 60_000);

  it('an inline token wins over tokenFile, as in client-go', async () => {
    const auths: Array<string | undefined> = [];
    const url = await listen((req, res) => {
      auths.push(req.headers.authorization);
      res.end('{}');
    });
    const { kubeconfig } = kubeconfigWithUser(url, { token: 'inline-token', tokenFile: 'tok' }, 'file-token');
    const client = await loadKubeClient({ kubeconfig });
    await client.request('GET', '/a');
    expect(auths).toEqual(['Bearer inline-token']);
  }, 60_000);
});

describe('proxy-url', () => {
  it('a kubeconfig cluster with proxy-url is reached through the proxy (CONNECT tunnel)', async () => {
    const tunnels: Array<string | undefined> = [];
    const seen: Array<{ url?: string; auth?: string }> = [];
    const api = http.createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      res.end('{}');
    });
    const proxy = await listen(() => {});
    server!.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket) => {
      tunnels.push(req.url);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      api.emit('connection', socket);
    });
    const { kubeconfig } = writeKubeconfig({ server: 'http://cluster.invalid:8080', 'proxy-url': proxy }, { token: 'tok' });
    const client = await loadKubeClient({ kubeconfig });
    const res = await client.request('GET', '/api/v1/namespaces');
    expect(res.status).toBe(200);
    expect(tunnels).toEqual(['cluster.invalid:8080']);
    expect(seen).toEqual([{ url: '/api/v1/namespaces', auth: 'Bearer tok' }]);
    server!.closeAllConnections();
    api.closeAllConnections();
  }, 60_000);
});
