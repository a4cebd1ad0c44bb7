/** `ksec seal` end to end through the built CLI (no cluster: --cert files and a local HTTP server). */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { hybridDecrypt } from '../../src/seal/hybrid.js';
import { labelFor, scopeOf } from '../../src/seal/scope.js';
import type { SealedSecret } from '../../src/manifest/objects.js';
import { REPO_ROOT, runKsec } from '../helpers/run-ksec.js';

// Each case spawns the CLI; on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: 60_000 });

const CERT = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.crt');
const KEY = createPrivateKey(readFileSync(join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.key')));
const CANARY = 'canary-cli-5b7e-do-not-print';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'ksec-seal-'));
}

function secretYaml(name: string, ns: string | undefined, values: Record<string, string>, extra = ''): string {
  const lines = ['apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${name}`];
  if (ns) lines.push(`  namespace: ${ns}`);
  if (extra) lines.push(extra);
  lines.push('stringData:', ...Object.entries(values).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`));
  return lines.join('\n') + '\n';
}

function unseal(ss: SealedSecret, key = KEY): Record<string, string> {
  const scope = scopeOf(ss.metadata);
  const label = labelFor(scope, ss.metadata?.namespace ?? '', ss.metadata?.name ?? '');
  return Object.fromEntries(
    Object.entries(ss.spec.encryptedData ?? {}).map(([k, v]) => [k, hybridDecrypt(key, Buffer.from(v, 'base64'), label).toString('utf8')]),
  );
}

function expectBadInput(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain(CANARY);
}

describe('ksec seal: one input', () => {
  it('seals a file to stdout as kubeseal JSON by default, and YAML with -o yaml', async () => {
    const dir = tmp();
    const file = join(dir, 's.yaml');
    writeFileSync(file, secretYaml('db', 'prod', { password: CANARY }));
    const json = await runKsec(['seal', '--cert', CERT, '-f', file]);
    expect(json.code).toBe(0);
    expect(json.stdout.startsWith('{\n  "kind": "SealedSecret",\n  "apiVersion": "bitnami.com/v1alpha1"')).toBe(true);
    expect(json.stdout).not.toContain(CANARY);
    expect(unseal(JSON.parse(json.stdout))).toEqual({ password: CANARY });

    const yaml = await runKsec(['seal', '--cert', CERT, '-o', 'yaml'], { stdin: readFileSync(file) });
    expect(yaml.code).toBe(0);
    expect(yaml.stdout.startsWith('---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n')).toBe(true);
    expect(unseal(parse(yaml.stdout))).toEqual({ password: CANARY });
    expect(readdirSync(dir)).toEqual(['s.yaml']);
  });

  it('applies --scope, --name and -n, and fills a missing namespace', async () => {
    const stdin = secretYaml('db', undefined, { k: CANARY });
    const cw = await runKsec(['seal', '--cert', CERT, '--scope', 'cluster-wide', '-o', 'yaml'], { stdin });
    const ss = parse(cw.stdout) as SealedSecret;
    expect(ss.metadata?.annotations).toEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
    expect(ss.metadata?.namespace).toBeUndefined();
    expect(unseal(ss)).toEqual({ k: CANARY });

    const named = await runKsec(['seal', '--cert', CERT, '--name', 'other', '-n', 'team', '-o', 'json'], { stdin, env: { KUBECONFIG: '/nonexistent' } });
    const n = JSON.parse(named.stdout) as SealedSecret;
    expect([n.metadata?.name, n.metadata?.namespace]).toEqual(['other', 'team']);
    expect(unseal(n)).toEqual({ k: CANARY });

    // no namespace from the Secret, -n or a kubeconfig context: refused, as kubeseal refuses it
    const none = await runKsec(['seal', '--cert', CERT], { stdin, env: { KUBECONFIG: '/nonexistent' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/secret must declare a namespace/);
  });

  it('takes the namespace of the kubeconfig context for Secrets without one, as kubeseal does', async () => {
    const dir = tmp();
    const kc = join(dir, 'kubeconfig');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u, namespace: from-ctx}\n- name: b\n  context: {cluster: c, user: u, namespace: other-ctx}\n');
    const stdin = secretYaml('db', undefined, { k: 'v' });
    expect(JSON.parse((await runKsec(['seal', '--cert', CERT], { stdin, env: { KUBECONFIG: kc } })).stdout).metadata.namespace).toBe('from-ctx');
    expect(JSON.parse((await runKsec(['seal', '--cert', CERT, '--kubeconfig', kc, '--context', 'b'], { stdin })).stdout).metadata.namespace).toBe('other-ctx');
    // a KUBECONFIG list, merged as kubectl merges it: the first current-context, the first file naming the context
    const first = join(dir, 'first');
    writeFileSync(first, 'apiVersion: v1\nkind: Config\ncurrent-context: b\n');
    const list = [join(dir, 'missing'), first, kc].join(':');
    expect(JSON.parse((await runKsec(['seal', '--cert', CERT], { stdin, env: { KUBECONFIG: list } })).stdout).metadata.namespace).toBe('other-ctx');
  });

  it('writes -w atomically with the format of its extension', async () => {
    const dir = tmp();
    const out = join(dir, 'sealed.yaml');
    const r = await runKsec(['seal', '--cert', CERT, '-w', out], { stdin: secretYaml('db', 'prod', { a: CANARY }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8').startsWith('---\napiVersion')).toBe(true);
    expect(readdirSync(dir)).toEqual(['sealed.yaml']);
  });

  it('seals a raw value for each scope', async () => {
    const strict = await runKsec(['seal', '--cert', CERT, '--raw', '--name', 'db', '-n', 'prod'], { stdin: CANARY });
    expect(strict.code).toBe(0);
    expect(hybridDecrypt(KEY, Buffer.from(strict.stdout, 'base64'), Buffer.from('prod/db')).toString()).toBe(CANARY);
    const dir = tmp();
    writeFileSync(join(dir, 'v.txt'), CANARY);
    const nw = await runKsec(['seal', '--cert', CERT, '--raw', '--scope', 'namespace-wide', '-n', 'prod', '--from-file', join(dir, 'v.txt')]);
    expect(hybridDecrypt(KEY, Buffer.from(nw.stdout, 'base64'), Buffer.from('prod')).toString()).toBe(CANARY);
    const noName = await runKsec(['seal', '--cert', CERT, '--raw', '-n', 'prod'], { stdin: CANARY });
    expectBadInput(noName, /must provide the --name flag with --raw and --scope strict/);
    expectBadInput(await runKsec(['seal', '--cert', CERT, '--from-file', 'x']), /--from-file requires --raw/);
  });

  it('prints the certificate with --fetch-cert', async () => {
    const r = await runKsec(['seal', '--fetch-cert', '--cert', CERT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  });

  it('shows every flag with examples in --help', async () => {
    const r = await runKsec(['seal', '--help']);
    for (const flag of ['--cert', '--fetch-cert', '--controller-name', '--controller-namespace', '--secret-file', '--format', '--sealed-secret-file', '--output-dir', '--name', '--namespace', '--scope', '--raw', '--from-file', '--merge-into', '--allow-empty-data', '--kubeconfig', '--context']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('Examples:');
  });
});

describe('ksec seal: trees and several clusters', () => {
  function tree(): string {
    const dir = tmp();
    mkdirSync(join(dir, 'secrets/sub'), { recursive: true });
    writeFileSync(join(dir, 'secrets/a.yaml'), secretYaml('a', 'prod', { k: 'A' }));
    writeFileSync(join(dir, 'secrets/sub/b.yaml'), secretYaml('b', 'prod', { k: 'B' }) + '---\n' + secretYaml('b2', 'prod', { k: 'B2' }));
    writeFileSync(join(dir, 'secrets/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    return dir;
  }

  it('writes <base>.sealed.yaml beside each input file and skips other kinds and earlier outputs', async () => {
    const dir = tree();
    const r = await runKsec(['seal', '--cert', CERT, 'secrets'], { cwd: dir });
    expect(r.code).toBe(0);
    const a = parse(readFileSync(join(dir, 'secrets/a.sealed.yaml'), 'utf8'));
    expect(unseal(a)).toEqual({ k: 'A' });
    const b = parseAllDocuments(readFileSync(join(dir, 'secrets/sub/b.sealed.yaml'), 'utf8')).map((d) => d.toJS());
    expect(b.map((x) => unseal(x))).toEqual([{ k: 'B' }, { k: 'B2' }]);
    expect(existsSync(join(dir, 'secrets/cm.sealed.yaml'))).toBe(false);
    const again = await runKsec(['seal', '--cert', CERT, 'secrets'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(existsSync(join(dir, 'secrets/a.sealed.sealed.yaml'))).toBe(false);
  });

  it('seals for several clusters into --output-dir/<cluster>/ and -w with {cluster}', async () => {
    const dir = tree();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherCert = join(dir, 'stage.pem');
    writeFileSync(otherCert, selfSigned(other.publicKey.export({ type: 'spki', format: 'pem' }).toString(), other.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()));
    const r = await runKsec(['seal', '--cert', `prod=${CERT}`, '--cert', otherCert, 'secrets', '--output-dir', 'out'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(unseal(parse(readFileSync(join(dir, 'out/prod/a.sealed.yaml'), 'utf8')))).toEqual({ k: 'A' });
    expect(unseal(parse(readFileSync(join(dir, 'out/stage/a.sealed.yaml'), 'utf8')), other.privateKey)).toEqual({ k: 'A' });
    expect(existsSync(join(dir, 'out/stage/sub/b.sealed.yaml'))).toBe(true);

    const w = await runKsec(['seal', '--cert', `prod=${CERT}`, '--cert', `stage=${otherCert}`, '-f', 'secrets/a.yaml', '-w', 'w/{cluster}.json'], { cwd: dir });
    expect(w.code).toBe(0);
    expect(unseal(JSON.parse(readFileSync(join(dir, 'w/stage.json'), 'utf8')), other.privateKey)).toEqual({ k: 'A' });

    expectBadInput(await runKsec(['seal', '--cert', `a=${CERT}`, '--cert', `b=${CERT}`], { stdin: secretYaml('x', 'y', { k: 'v' }) }), /several --cert need -w or --output-dir/);
    expectBadInput(await runKsec(['seal', '--cert', `a=${CERT}`, '--cert', `b=${CERT}`, '-w', 'x.yaml'], { cwd: dir, stdin: secretYaml('x', 'y', { k: 'v' }) }), /\{cluster\}/);
  });

  it('writes nothing when one input of the tree is bad', async () => {
    const dir = tree();
    writeFileSync(join(dir, 'secrets/z.yaml'), secretYaml('z', 'other', { k: CANARY }, '  labels: [oops'));
    const r = await runKsec(['seal', '--cert', CERT, 'secrets'], { cwd: dir });
    expectBadInput(r, /z\.yaml: invalid YAML/);
    expect(existsSync(join(dir, 'secrets/a.sealed.yaml'))).toBe(false);
  });
});

describe('ksec seal: bad input (one line, exit 2, no output file)', () => {
  const good = secretYaml('db', 'prod', { password: CANARY });
  const cases: [string, (dir: string) => string[], RegExp, string?][] = [
    ['malformed YAML', () => ['-f', 'bad.yaml'], /bad\.yaml: invalid YAML at line/],
    ['a non-Secret kind', () => ['-f', 'cm.yaml'], /cm\.yaml: ConfigMap\/c is not a Secret/],
    ['a contradicting namespace', () => ['-f', 'good.yaml', '-n', 'stage'], /namespace mismatch: the input Secret is in namespace "prod" but "stage"/],
    ['a garbage cert', () => ['-f', 'good.yaml', '--cert', 'garbage.pem'], /garbage\.pem: not a certificate/],
    ['a non-RSA cert', () => ['-f', 'good.yaml', '--cert', join(REPO_ROOT, 'test/unit/seal/fixtures/ec-p256.crt')], /expected an RSA public key/],
    ['an expired cert', () => ['-f', 'good.yaml', '--cert', 'expired.pem'], /failed to encrypt using an expired certificate on January 2, 2021/],
    ['a missing cert file', () => ['-f', 'good.yaml', '--cert', 'nope.pem'], /nope\.pem: cannot read: no such file/],
    ['an unreachable cert URL', () => ['-f', 'good.yaml', '--cert', 'http://127.0.0.1:9/v1/cert.pem'], /cannot fetch the certificate/],
    ['empty data', () => ['-f', 'empty.yaml'], /secret.data is empty.*--allow-empty-data/],
    ['invalid base64 data', () => ['-f', 'b64.yaml'], /data\.password is not valid base64/],
    ['an unknown scope', () => ['-f', 'good.yaml', '--scope', 'global'], /unknown scope "global"/],
    ['an unknown format', () => ['-f', 'good.yaml', '-o', 'xml'], /unknown output format "xml"/],
  ];
  for (const [what, args, pattern] of cases) {
    it(what, async () => {
      const dir = tmp();
      writeFileSync(join(dir, 'good.yaml'), good);
      writeFileSync(join(dir, 'bad.yaml'), good + '  extra: [\n');
      writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n');
      writeFileSync(join(dir, 'garbage.pem'), 'not a cert');
      writeFileSync(join(dir, 'empty.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\n  namespace: p\n');
      writeFileSync(join(dir, 'b64.yaml'), `apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\n  namespace: p\ndata:\n  password: ${CANARY}\n`);
      writeFileSync(join(dir, 'expired.pem'), expiredCert);
      const argv = args(dir);
      const full = ['seal', ...(argv.includes('--cert') ? [] : ['--cert', CERT]), ...argv, '-w', 'out.yaml'];
      const r = await runKsec(full, { cwd: dir });
      expectBadInput(r, pattern);
      expect(existsSync(join(dir, 'out.yaml'))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    });
  }
  it('without --cert and without any cluster configuration, exits 3 (environment) naming what it looked for and --cert', async () => {
    const home = tmp();
    const r = await runKsec(['seal', '-f', '-'], { stdin: good, env: { HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: controller kube-system\/sealed-secrets-controller: no Kubernetes configuration found: .*--server.*\(.*--cert with a certificate file or URL/);
  });
  it('--allow-empty-data seals a Secret without data', async () => {
    const r = await runKsec(['seal', '--cert', CERT, '--allow-empty-data'], { stdin: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\n  namespace: p\n' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).spec.encryptedData).toEqual({});
  });
});

describe('ksec seal --merge-into', () => {
  it('re-seals only the given keys in place, keeping comments and every other ciphertext byte for byte', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), secretYaml('db', 'prod', { a: 'A', b: 'B' }));
    expect((await runKsec(['seal', '--cert', CERT, '-f', 's.yaml', '-w', 'sealed.yaml'], { cwd: dir })).code).toBe(0);
    const before = '# managed by ksec\n' + readFileSync(join(dir, 'sealed.yaml'), 'utf8');
    writeFileSync(join(dir, 'sealed.yaml'), before);
    const oldA = (parse(before) as SealedSecret).spec.encryptedData!.a!;
    const r = await runKsec(['seal', '--cert', CERT, '--merge-into', 'sealed.yaml'], { cwd: dir, stdin: secretYaml('db', undefined, { b: CANARY, c: 'C' }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const after = readFileSync(join(dir, 'sealed.yaml'), 'utf8');
    expect(after.startsWith('# managed by ksec\n---\n')).toBe(true);
    const ss = parse(after) as SealedSecret;
    expect(ss.spec.encryptedData!.a).toBe(oldA);
    expect(after).toContain(`a: ${oldA}\n`);
    expect(unseal(ss)).toEqual({ a: 'A', b: CANARY, c: 'C' });
    expect(after).not.toContain(CANARY);
  });

  it('refuses a Secret from another namespace', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), secretYaml('db', 'prod', { a: 'A' }));
    await runKsec(['seal', '--cert', CERT, '-f', 's.yaml', '-w', 'sealed.json'], { cwd: dir });
    const before = readFileSync(join(dir, 'sealed.json'), 'utf8');
    const r = await runKsec(['seal', '--cert', CERT, '--merge-into', 'sealed.json'], { cwd: dir, stdin: secretYaml('db', 'stage', { a: CANARY }) });
    expectBadInput(r, /namespace mismatch/);
    expect(readFileSync(join(dir, 'sealed.json'), 'utf8')).toBe(before);
  });
});

function selfSigned(publicPem: string, privatePem: string, notBefore = new Date(Date.now() - 86400_000), notAfter = new Date(Date.now() + 365 * 86400_000)): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = '01';
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'test' }]);
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

const expiredCert = (() => {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return selfSigned(
    k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    k.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    new Date('2020-01-01T00:00:00Z'),
    new Date('2021-01-02T12:00:00Z'),
  );
})();

describe('ksec seal --validate / --re-encrypt and the connection flags: what is refused before any cluster is asked', () => {
  const bare = () => ({ HOME: tmp(), KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' });
  const refused = async (args: string[], pattern: RegExp) => {
    const r = await runKsec(args, { env: bare() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toContain(CANARY);
  };

  it('the online modes take no sealing flags and say which offline command does the same', async () => {
    await refused(['seal', '--validate', '--cert', CERT, '-f', 'x.yaml'], /--validate asks the controller in the cluster and does not take --cert \(offline, with a certificate or private keys: ksec validate\)/);
    await refused(['seal', '--re-encrypt', '--scope', 'strict'], /--re-encrypt asks the controller .* --scope \(offline, with a certificate: ksec reencrypt\)/);
    await refused(['seal', '--validate', '--re-encrypt'], /--validate and --re-encrypt exclude each other/);
    await refused(['seal', '--validate', '-w', 'out.yaml', 'in.yaml'], /--validate writes nothing/);
    await refused(['seal', '--re-encrypt', 'a.yaml', 'b.yaml'], /--re-encrypt takes one SealedSecret file/);
    await refused(['seal', '--re-encrypt', '--in-place'], /--in-place needs a SealedSecret file \(-f FILE\), not stdin/);
    await refused(['seal', '--re-encrypt', '--in-place', '-f', 'a.yaml', '-w', 'b.yaml'], /--in-place and -w do not combine/);
    await refused(['seal', '--cert', CERT, '--in-place', '-f', 'a.yaml'], /--in-place only applies to --re-encrypt/);
  });

  it('input problems come before the cluster: a Secret given to --re-encrypt, no SealedSecret for --validate', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: demo\nstringData:\n  k: ${CANARY}\n`);
    await refused(['seal', '--re-encrypt', '-f', join(dir, 'secret.yaml')], /Secret\/demo\/s is not a SealedSecret/);
    await refused(['seal', '--validate', join(dir, 'secret.yaml')], /no SealedSecret found/);
    expect(readFileSync(join(dir, 'secret.yaml'), 'utf8')).toContain(CANARY);
  });

  it('connection flags kubectl refuses are exit 2 in every cluster command; a token never reaches the output', async () => {
    for (const cmd of [['seal', '--fetch-cert'], ['cert', '--fetch'], ['watch', '--metrics-address', 'off']]) {
      await refused([...cmd, '--server', 'https://127.0.0.1:1', '--token', CANARY, '--request-timeout', '1 minute'], /invalid --request-timeout "1 minute": a timeout is a single integer in seconds/);
      await refused([...cmd, '--server', 'https://127.0.0.1:1', '--token', CANARY, '--as-group', 'g'], /--as-group needs --as/);
      await refused([...cmd, '--server', 'https://127.0.0.1:1', '--token', CANARY, '--client-key', '/nonexistent/k.pem'], /nonexistent\/k\.pem: cannot read the --client-key file: no such file or directory/);
    }
  });

  it('an API server that refuses the connection is exit 3 with one line naming it, with no kubeconfig at all', async () => {
    const r = await runKsec(['cert', '--fetch', '--server', 'https://127.0.0.1:1', '--token', CANARY, '--insecure-skip-tls-verify'], { env: bare() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: controller kube-system\/sealed-secrets-controller: cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
    expect(r.stderr).not.toContain(CANARY);
  });
});
