/** `seal --fetch-cert` / `cert --fetch` through src/kube: the GETs, and the errors a user sees. */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchControllerCertificatePem } from '../../../src/seal/cert.js';
import { formatError } from '../../../src/errors.js';
import { writeKubeconfig } from './kubeconfig.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

function listen(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server!.address() as { port: number }).port}`)));
}

function kubeconfig(server: string, user: Record<string, unknown> = { token: 't' }): string {
  return writeKubeconfig({ server }, user).kubeconfig;
}

describe('fetchControllerCertificatePem', { timeout: 60_000 }, () => {
  it('reads the Service port name, then GETs cert.pem through the service proxy with the kubeconfig token', async () => {
    const seen: Array<{ url?: string; accept?: string; auth?: string }> = [];
    const url = await listen((req, res) => {
      seen.push({ url: req.url, accept: req.headers.accept, auth: req.headers.authorization });
      if (req.url === '/api/v1/namespaces/ss/services/ctl') res.end(JSON.stringify({ spec: { ports: [{ name: 'web', port: 8080 }] } }));
      else res.end('PEM');
    });
    const r = await fetchControllerCertificatePem({ controllerName: 'ctl', controllerNamespace: 'ss', kubeconfig: kubeconfig(url) });
    expect(r).toEqual({ pem: 'PEM', source: 'controller ss/ctl' });
    expect(seen).toEqual([
      { url: '/api/v1/namespaces/ss/services/ctl', accept: 'application/json', auth: 'Bearer t' },
      { url: '/api/v1/namespaces/ss/services/http:ctl:web/proxy/v1/cert.pem', accept: 'application/x-pem-file, */*', auth: 'Bearer t' },
    ]);
  });

  it('a missing Service is bad input (exit 2)', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(404);
      res.end('{}');
    });
    const err = await fetchControllerCertificatePem({ controllerName: 'nope', kubeconfig: kubeconfig(url) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2 });
    expect(formatError(err)).toMatch(/^controller kube-system\/nope: cannot get the sealed-secrets Service kube-system\/nope: not found/);
  });

  it('an unreachable or silent API server exits 3, naming the server and the error code', async () => {
    const dead = await fetchControllerCertificatePem({ kubeconfig: kubeconfig('http://127.0.0.1:1') }).catch((e: unknown) => e);
    expect(dead).toMatchObject({ exitCode: 3, message: 'cannot reach the Kubernetes API at http://127.0.0.1:1: ECONNREFUSED' });
    const url = await listen(() => {});
    const silent = await fetchControllerCertificatePem({ kubeconfig: kubeconfig(url), requestTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(silent).toMatchObject({ exitCode: 3, message: `cannot reach the Kubernetes API at ${url}: ETIMEDOUT (no answer within the request timeout)` });
  });

  it('credentials that cannot be produced exit 3, naming the kubeconfig', async () => {
    const url = await listen((_req, res) => res.end('{}'));
    const file = kubeconfig(url, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/nonexistent/credential-plugin', interactiveMode: 'Never' } });
    const err = await fetchControllerCertificatePem({ kubeconfig: file }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 3, file });
    expect((err as Error).message).toMatch(/^cannot use the kubeconfig's credentials: /);
  });

  it('a kubeconfig that does not load is bad input (exit 2), naming the file', async () => {
    const err = await fetchControllerCertificatePem({ kubeconfig: '/nonexistent/kubeconfig' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2, file: '/nonexistent/kubeconfig' });
    expect((err as Error).message).toMatch(/^cannot load the kubeconfig: /);
  });
});

describe('the controller API: verify and rotate (kubeseal --validate / --re-encrypt)', { timeout: 60_000 }, () => {
  const service = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/api/v1/namespaces/kube-system/services/sealed-secrets-controller') {
      res.end(JSON.stringify({ spec: { ports: [{ name: 'http', port: 8080 }] } }));
      return true;
    }
    return false;
  };

  it('a 429 (the controller\'s rate limit on /v1/verify) is waited out; 200 is valid, 409 is not', async () => {
    const { openController } = await import('../../../src/seal/controller-api.js');
    const { verifyWithController } = await import('../../../src/seal/controller-online.js');
    const answers = [429, 200, 409];
    const seen: string[] = [];
    const url = await listen((req, res) => {
      if (service(req, res)) return;
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(answers.shift()!, { 'retry-after': '1' });
        res.end();
      });
    });
    const api = await openController({ kubeconfig: kubeconfig(url) });
    const ss = { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'a', namespace: 'n' }, spec: { encryptedData: { k: 'AgB' } } };
    expect(await verifyWithController(api, ss, 'SealedSecret/n/a')).toBe(true);
    expect(await verifyWithController(api, ss, 'SealedSecret/n/a')).toBe(false);
    const proxied = `POST /api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:http/proxy/v1/verify ${JSON.stringify(ss)}`;
    expect(seen).toEqual([proxied, proxied, proxied]);
  });

  it('rotate refuses an answer that is not a SealedSecret (nothing written, never a plaintext); clears what kubeseal clears', async () => {
    const { openController } = await import('../../../src/seal/controller-api.js');
    const { rotateWithController } = await import('../../../src/seal/controller-online.js');
    const answers = [
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' }, data: { k: 'cGxhaW4=' } }),
      // as the controller marshals it: no apiVersion, no kind
      JSON.stringify({ metadata: { name: 'a', namespace: 'n', creationTimestamp: null, generation: 3 }, spec: { encryptedData: { k: 'AgC' } } }),
    ];
    const url = await listen((req, res) => {
      if (service(req, res)) return;
      req.resume();
      req.on('end', () => res.end(answers.shift()));
    });
    const api = await openController({ kubeconfig: kubeconfig(url) });
    const err = await rotateWithController(api, {}, 'SealedSecret/n/a').catch((e: unknown) => e);
    expect(formatError(err)).toMatch(/answer for SealedSecret\/n\/a is not a SealedSecret; nothing written/);
    expect(formatError(err)).not.toContain('cGxhaW4');
    expect(await rotateWithController(api, {}, 'SealedSecret/n/a')).toEqual({
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'a', namespace: 'n' },
      spec: { encryptedData: { k: 'AgC' } },
    });
  });
});
