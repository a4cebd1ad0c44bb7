/**
 * kubectl's connection flags against the bed's real kube-apiserver (issue 19, point 6): each flag
 * changes what it should. `ksec cert --fetch` is the probe (it GETs the controller's Service and
 * cert.pem through the service proxy, as kubeseal --fetch-cert); seal --fetch-cert and watch take
 * the same flags from the same declaration.
 *
 * RBAC made here: a ServiceAccount with no rights (403), an impersonator allowed to impersonate one
 * user and one group, and a Role in kube-system letting that user and group read the controller's
 * Service and proxy to it. No token or key content may appear in any output (canaries).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../../src/seal/keys.js';
import { KSEC_BIN, runKsec, type KsecResult } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';

const id = randomBytes(3).toString('hex');
const ns = `ksec-kube-${id}`;
const viewer = `ksec-kube-${id}-viewer`;
const member = `ksec-kube-${id}-member`;
const group = `ksec-kube-${id}-group`;
const CANARY = `canary-kube-${randomBytes(6).toString('hex')}`;

describe('connection flags against the real apiserver', { timeout: 180_000 }, () => {
  let bed: Testbed;
  let noRightsToken: string;
  let impersonatorToken: string;
  let adminFingerprint: string;
  const work = mkdtempSync(join(tmpdir(), 'ksec-e2e-kube-'));
  const emptyHome = mkdtempSync(join(tmpdir(), 'ksec-e2e-kube-home-'));
  /** no kubeconfig anywhere, not in a pod: only the flags say where the cluster is */
  const bare = { HOME: emptyHome, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' };
  const fetch = (args: string[], env: NodeJS.ProcessEnv = {}) => runKsec(['cert', '--fetch', '-o', 'json', ...args], { env, cwd: work });
  const direct = () => ['--server', bed.apiserverUrl, '--certificate-authority', bed.caFile];

  const ok = (r: KsecResult) => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).fingerprint).toBe(adminFingerprint);
  };
  /** one line on stderr, the exit code, nothing on stdout, no canary, no token */
  const fails = (r: KsecResult, code: number, pattern: RegExp) => {
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.code).toBe(code);
    for (const secret of [CANARY, noRightsToken, impersonatorToken, bed.adminToken]) expect(r.stderr).not.toContain(secret);
  };

  const create = async (path: string, body: unknown) => {
    const r = await bed.request('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body}`);
  };

  beforeAll(async () => {
    bed = testbed();
    await create('/api/v1/namespaces', { metadata: { name: ns } });
    for (const sa of ['no-rights', 'impersonator']) await create(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: sa } });
    await create('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      metadata: { name: `${ns}-impersonate` },
      rules: [
        { apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: [viewer, member] },
        { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: [group] },
      ],
    });
    await create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name: `${ns}-impersonate` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${ns}-impersonate` },
      subjects: [{ kind: 'ServiceAccount', name: 'impersonator', namespace: ns }],
    });
    // what kubeseal's docs give a user who fetches the certificate and validates online
    await create('/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles', {
      metadata: { name: `${ns}-sealed-secrets` },
      rules: [
        { apiGroups: [''], resources: ['services'], verbs: ['get'], resourceNames: ['sealed-secrets-controller'] },
        { apiGroups: [''], resources: ['services/proxy'], verbs: ['get', 'create'], resourceNames: ['http:sealed-secrets-controller:http', 'sealed-secrets-controller'] },
      ],
    });
    await create('/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings', {
      metadata: { name: `${ns}-sealed-secrets` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${ns}-sealed-secrets` },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: viewer },
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group },
      ],
    });
    noRightsToken = await bed.serviceAccountToken(ns, 'no-rights', 900);
    impersonatorToken = await bed.serviceAccountToken(ns, 'impersonator', 900);
    const admin = await fetch([], { KUBECONFIG: bed.kubeconfig });
    expect(admin.code).toBe(0);
    adminFingerprint = JSON.parse(admin.stdout).fingerprint;
  });

  afterAll(async () => {
    if (!bed) return;
    await bed.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings/${ns}-sealed-secrets`);
    await bed.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles/${ns}-sealed-secrets`);
    await bed.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${ns}-impersonate`);
    await bed.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${ns}-impersonate`);
    await bed.request('DELETE', `/api/v1/namespaces/${ns}`);
  });

  it('--server with --token works with no kubeconfig at all; so does seal --fetch-cert', async () => {
    ok(await fetch([...direct(), '--token', bed.adminToken], bare));
    const seal = await runKsec(['seal', '--fetch-cert', ...direct(), '--token', bed.adminToken], { env: bare, cwd: work });
    expect(seal.code).toBe(0);
    expect(seal.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('a ServiceAccount token with no rights gets 403: exit 3, one line naming the user and the permission, no token', async () => {
    const r = await fetch([...direct(), '--token', noRightsToken], bare);
    fails(r, 3, new RegExp(`^error: controller kube-system/sealed-secrets-controller: cannot get the controller Service: HTTP 403 Forbidden: .*system:serviceaccount:${ns}:no-rights.*cannot get resource "services"`));
  });

  it('--token replaces the kubeconfig user\'s token; a wrong one is 401, exit 3, and never printed', async () => {
    fails(await fetch(['--token', noRightsToken], { KUBECONFIG: bed.kubeconfig }), 3, /HTTP 403 Forbidden/);
    fails(await fetch(['--token', CANARY], { KUBECONFIG: bed.kubeconfig }), 3, /refused the credentials \(HTTP 401 Unauthorized\)/);
  });

  it('--as impersonates a user through RBAC; --as-group a group; the impersonator alone has no rights', async () => {
    const base = [...direct(), '--token', impersonatorToken];
    fails(await fetch(base, bare), 3, new RegExp(`HTTP 403 Forbidden: .*system:serviceaccount:${ns}:impersonator`));
    ok(await fetch([...base, '--as', viewer], bare));
    // the member user alone has no Role; through the group it has
    fails(await fetch([...base, '--as', member], bare), 3, new RegExp(`HTTP 403 Forbidden: .*"${member}"`));
    ok(await fetch([...base, '--as', member, '--as-group', group], bare));
    // a user the impersonator may not impersonate
    fails(await fetch([...base, '--as', 'someone-else'], bare), 3, /HTTP 403 Forbidden: .*cannot impersonate/);
    fails(await fetch([...base, '--as-group', group], bare), 2, /--as-group needs --as/);
  });

  it('client certificate authentication with --client-certificate / --client-key (the bed\'s admin certificate)', async () => {
    const pki = bed.state.apiserver!.pkiDir;
    ok(await fetch([...direct(), '--client-certificate', join(pki, 'admin.crt'), '--client-key', join(pki, 'admin.key')], bare));
    // a key file that is not a key (with a canary in it): one line, the canary never shown
    const badKey = join(work, 'bad.key');
    writeFileSync(badKey, `-----BEGIN RSA PRIVATE KEY-----\n${CANARY}\n-----END RSA PRIVATE KEY-----\n`, { mode: 0o600 });
    const bad = await fetch([...direct(), '--client-certificate', join(pki, 'admin.crt'), '--client-key', badKey], bare);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).not.toContain(CANARY);
  });

  it('--certificate-authority replaces the kubeconfig\'s CA (a wrong one fails to verify, exit 3); --insecure-skip-tls-verify skips the check', async () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const wrongCa = join(work, 'wrong-ca.crt');
    writeFileSync(wrongCa, selfSignedCertificate(key));
    fails(await fetch(['--certificate-authority', wrongCa], { KUBECONFIG: bed.kubeconfig }), 3, /cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:\d+: \w+ \(the server's certificate does not verify\) \(pass --certificate-authority/);
    ok(await fetch(['--server', bed.apiserverUrl, '--insecure-skip-tls-verify', '--token', bed.adminToken], bare));
    // the flag also clears the kubeconfig's CA (kubectl: the two together are an error)
    ok(await fetch(['--insecure-skip-tls-verify'], { KUBECONFIG: bed.kubeconfig }));
    fails(await fetch(['--certificate-authority', wrongCa, '--insecure-skip-tls-verify'], { KUBECONFIG: bed.kubeconfig }), 2, /do not combine/);
  });

  it('--request-timeout bounds a request to a listener that never answers (exit 3); kubectl\'s syntax, else exit 2', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s)); // accepts, never speaks (no TLS handshake)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const url = `https://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      for (const timeout of ['1s', '2', '1500ms']) {
        const started = Date.now();
        const r = await fetch(['--server', url, '--insecure-skip-tls-verify', '--token', CANARY, '--request-timeout', timeout], bare);
        fails(r, 3, new RegExp(`cannot reach the Kubernetes API at ${url}: ETIMEDOUT .*--request-timeout`));
        expect(Date.now() - started).toBeLessThan(15_000);
      }
      fails(await fetch(['--server', url, '--token', 'x', '--request-timeout', '5 minutes'], bare), 2, /invalid --request-timeout "5 minutes"/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('--context, --cluster and --user select kubeconfig entries; names that do not exist are exit 2', async () => {
    const kc = join(work, 'two-users.kubeconfig');
    writeFileSync(
      kc,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'bed', cluster: { server: bed.apiserverUrl, 'certificate-authority': bed.caFile } },
          { name: 'nowhere', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority': bed.caFile } },
        ],
        users: [
          { name: 'admin', user: { token: bed.adminToken } },
          { name: 'no-rights', user: { token: noRightsToken } },
        ],
        contexts: [
          { name: 'admin', context: { cluster: 'bed', user: 'admin' } },
          { name: 'limited', context: { cluster: 'bed', user: 'no-rights' } },
          { name: 'broken', context: { cluster: 'nowhere', user: 'admin' } },
        ],
        'current-context': 'admin',
      }),
      { mode: 0o600 },
    );
    ok(await fetch(['--kubeconfig', kc]));
    fails(await fetch(['--kubeconfig', kc, '--context', 'limited']), 3, /HTTP 403/);
    fails(await fetch(['--kubeconfig', kc, '--user', 'no-rights']), 3, /HTTP 403/);
    ok(await fetch(['--kubeconfig', kc, '--context', 'limited', '--user', 'admin']));
    fails(await fetch(['--kubeconfig', kc, '--context', 'broken']), 3, /cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
    ok(await fetch(['--kubeconfig', kc, '--context', 'broken', '--cluster', 'bed']));
    ok(await fetch(['--kubeconfig', kc, '--context', 'broken', '--server', bed.apiserverUrl]));
    fails(await fetch(['--kubeconfig', kc, '--context', 'nope']), 2, /context "nope" does not exist in the kubeconfig/);
    fails(await fetch(['--kubeconfig', kc, '--user', 'nope']), 2, /auth info "nope" does not exist/);
  });

  it('KUBECONFIG lists: the files are merged as kubectl merges them', async () => {
    const users = join(work, 'users.kubeconfig');
    const clusters = join(work, 'clusters.kubeconfig');
    writeFileSync(users, JSON.stringify({ apiVersion: 'v1', kind: 'Config', users: [{ name: 'u', user: { token: bed.adminToken } }], contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }], 'current-context': 'c' }), { mode: 0o600 });
    // the second file names the same user with no rights and another current-context: the first file wins both
    writeFileSync(clusters, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'k', cluster: { server: bed.apiserverUrl, 'certificate-authority': bed.caFile } }], users: [{ name: 'u', user: { token: noRightsToken } }], 'current-context': 'other' }), { mode: 0o600 });
    ok(await fetch([], { KUBECONFIG: [join(work, 'missing.kubeconfig'), users, clusters].join(delimiter) }));
  });

  it('ksec watch takes the same flags: --server/--token/--certificate-authority reach the cluster with no kubeconfig', async () => {
    const child = spawn(process.execPath, [KSEC_BIN, 'watch', '--metrics-address', 'off', '--dry-run', '--namespaces', ns, ...direct(), '--token', bed.adminToken, '--request-timeout', '20s'], {
      env: { ...process.env, ...bare },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`watch did not sync: ${log}`)), 60_000);
        child.stderr.on('data', () => {
          if (log.includes('caches synced')) {
            clearTimeout(t);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`watch exited ${code}: ${log}`)));
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(log).not.toContain(bed.adminToken);
    const bad = await runKsec(['watch', '--metrics-address', 'off', '--request-timeout', 'soon'], { env: bare });
    fails(bad, 2, /invalid --request-timeout "soon"/);
  });
});
