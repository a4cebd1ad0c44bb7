/**
 * The `ksec eso` CLI beyond discovery: offline generation from a spec (and
 * proof that it never loads the AWS SDK), stores, `-d` all-or-nothing, and
 * `migrate` into moto with canaries that must stay out of every output.
 */
import { GetSecretValueCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { externalSecretProblems } from '../../../src/eso/validate.js';
import type { KubeObject } from '../../../src/manifest/objects.js';
import { toYaml } from '../../../src/manifest/write.js';
import { runKsec, type KsecResult } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { crdErrors } from '../../unit/eso/crd-schema.js';
import { client, uniquePrefix } from './seed.js';

let bed: Testbed;
let work: string;

function ksec(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<KsecResult> {
  return runKsec(args, { env: { ...bed.env, ...env }, stdin });
}

function valid(obj: KubeObject): void {
  expect(crdErrors(obj)).toEqual([]);
  if (obj.kind === 'ExternalSecret') expect(externalSecretProblems(obj)).toEqual([]);
}

/** NODE_OPTIONS that record every module URL the CLI resolves into `file`. */
async function moduleTracer(file: string): Promise<string> {
  const hooks = join(work, 'trace-hooks.mjs');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(file)}, r.url + '\\n');
  return r;
}
`,
  );
  const register = join(work, 'trace-register.mjs');
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return `--import ${pathToFileURL(register).href}`;
}

beforeAll(async () => {
  bed = testbed();
  work = await mkdtemp(join(tmpdir(), 'ksec-eso-cli-'));
});

describe('ksec eso generate --from-spec', () => {
  it('builds manifests offline without loading the AWS SDK', async () => {
    const spec = join(work, 'spec.yaml');
    await writeFile(spec, 'store: aws\nsecrets:\n  - path: myapp/production/db\n    keys: [username, password]\n    namespace: production\n  - path: myapp/production/token\n');
    const trace = join(work, 'spec-trace.txt');
    // an unreachable endpoint: the command must not need it
    const r = await ksec(['eso', 'generate', '--from-spec', spec], { NODE_OPTIONS: await moduleTracer(trace), AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject);
    expect(docs.map((d) => d.metadata?.name)).toEqual(['myapp-production-db', 'myapp-production-token']);
    docs.forEach(valid);
    const loaded = await readFile(trace, 'utf8');
    expect(loaded).toMatch(/dist\/bundle\/ksec-eso\.js/); // the tracer saw the command's bundle load
    expect(loaded).not.toMatch(/@aws-sdk|@smithy/);

    // the tracer does see the SDK when a command needs it
    const trace2 = join(work, 'aws-trace.txt');
    const r2 = await ksec(['eso', 'generate', '--path', uniquePrefix('none'), '--store', 'aws'], { NODE_OPTIONS: await moduleTracer(trace2) });
    expect(r2.code).toBe(2);
    expect(await readFile(trace2, 'utf8')).toMatch(/@aws-sdk\/client-secrets-manager/);
  });

  it('reads a CSV spec and writes a directory with a kustomization', async () => {
    const spec = join(work, 'spec.csv');
    await writeFile(spec, 'path,property,secretKey,namespace\napp/db,user,DB_USER,prod\napp/db,pass,DB_PASS,prod\napp/registry,,.dockerconfigjson,prod\n');
    const dir = join(work, 'out');
    const r = await ksec(['eso', 'generate', '--from-spec', spec, '--store', 'aws', '--store-kind', 'SecretStore', '-d', dir]);
    expect(r.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['kustomization.yaml', 'prod_app-db.yaml', 'prod_app-registry.yaml']);
    const db = parse(await readFile(join(dir, 'prod_app-db.yaml'), 'utf8')) as KubeObject;
    valid(db);
    expect(db.spec).toMatchObject({ secretStoreRef: { kind: 'SecretStore' }, data: [{ secretKey: 'DB_USER' }, { secretKey: 'DB_PASS' }] });
    // the real kustomize builds the directory
    const built = await bed.exec('kustomize', ['build', dir]);
    expect(parseAllDocuments(built.stdout).map((d) => d.toJS().metadata.name).sort()).toEqual(['app-db', 'app-registry']);
  });

  it('bad spec: one line naming the file, exit 2, nothing written', async () => {
    const spec = join(work, 'bad.yaml');
    await writeFile(spec, 'secrets:\n  - keys: [a]\n');
    const dir = join(work, 'never');
    const r = await ksec(['eso', 'generate', '--from-spec', spec, '--store', 'aws', '-d', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(spec);
    await expect(readdir(dir)).rejects.toThrow();
  });

  it('v1beta1 warns and still validates against its schema', async () => {
    const r = await ksec(['eso', 'generate', '--from-spec', join(work, 'spec.yaml'), '--api-version', 'v1beta1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/v1beta1 is not served by ESO v0.17/);
    parseAllDocuments(r.stdout).forEach((d) => valid(d.toJS() as KubeObject));
  });
});

describe('ksec eso store', () => {
  it('prints valid ClusterSecretStores and SecretStores', async () => {
    const irsa = await ksec(['eso', 'store', '--name', 'aws', '--region', 'eu-west-1', '--auth', 'irsa', '--service-account', 'eso', '--service-account-namespace', 'external-secrets', '--condition-namespace', 'payments', '--condition-selector', 'team=a']);
    expect(irsa.code).toBe(0);
    valid(parse(irsa.stdout));
    const ref = await ksec(['eso', 'store', '--name', 'aws', '--namespaced', '-n', 'payments', '--service', 'ParameterStore', '--auth', 'secret-ref', '--secret-name', 'aws-creds', '--role', 'arn:aws:iam::123456789012:role/eso']);
    expect(ref.code).toBe(0);
    expect(parse(ref.stdout)).toMatchObject({ kind: 'SecretStore', metadata: { namespace: 'payments' }, spec: { provider: { aws: { region: 'us-east-1', service: 'ParameterStore' } } } });
    valid(parse(ref.stdout));
    const bad = await ksec(['eso', 'store', '--name', 'aws', '--namespaced', '--condition-namespace', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/conditions apply to a ClusterSecretStore only/);
    const noRegion = await ksec(['eso', 'store', '--name', 'aws'], { AWS_REGION: '', AWS_DEFAULT_REGION: '' });
    expect(noRegion.code).toBe(2);
  });
});

describe('ksec eso migrate', () => {
  const canary = `CANARY-migrate-${Math.random().toString(36).slice(2)}`;

  it('moves a Secret into Secrets Manager and prints the ExternalSecret that replaces it', async () => {
    const prefix = uniquePrefix('migrate');
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'prod', labels: { app: 'db' } },
      type: 'Opaque',
      data: { password: Buffer.from(canary).toString('base64'), bin: Buffer.from([0xff, 0xfe, 0]).toString('base64') },
      stringData: { user: `u-${canary}` },
    };
    const file = join(work, 'secret.yaml');
    await writeFile(file, toYaml(secret));

    const dry = await ksec(['eso', 'migrate', '-f', file, '--path', prefix, '--store', 'aws', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(new RegExp(`would create or update AWS secret ${prefix}/db from Secret/prod/db with keys: password, bin, user`));
    const sm = client();
    await expect(sm.send(new DescribeSecretCommand({ SecretId: `${prefix}/db` }))).rejects.toThrow(/ResourceNotFound|can't find/);

    const out = join(work, 'es.yaml');
    const r = await ksec(['eso', 'migrate', '-f', file, '--path', prefix, '--store', 'aws', '--tag', 'team=payments', '-w', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/created AWS secret/);
    const stored = await sm.send(new GetSecretValueCommand({ SecretId: `${prefix}/db` }));
    expect(JSON.parse(stored.SecretString!)).toEqual({ password: canary, bin: Buffer.from([0xff, 0xfe, 0]).toString('base64'), user: `u-${canary}` });
    const described = await sm.send(new DescribeSecretCommand({ SecretId: `${prefix}/db` }));
    expect(described.Tags).toEqual(expect.arrayContaining([{ Key: 'managed-by', Value: 'ksec' }, { Key: 'team', Value: 'payments' }, { Key: 'ksec.io/migrated-from', Value: 'Secret/prod/db' }]));
    const es = parse(await readFile(out, 'utf8')) as KubeObject;
    valid(es);
    expect(es.spec).toMatchObject({ data: [{ secretKey: 'password' }, { secretKey: 'bin', remoteRef: { decodingStrategy: 'Base64' } }, { secretKey: 'user' }] });

    // the generated ExternalSecret's references resolve against what was stored
    const gen = await ksec(['eso', 'generate', '--path', `${prefix}/`, '--store', 'aws']);
    expect(parseAllDocuments(gen.stdout)[0]!.toJS().spec.data.map((d: { secretKey: string }) => d.secretKey)).toEqual(['password', 'bin', 'user']);

    // a second run updates in place
    const again = await ksec(['eso', 'migrate', '-f', file, '--path', prefix, '--store', 'aws']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/updated AWS secret/);

    for (const t of [dry.stdout, dry.stderr, r.stdout, r.stderr, await readFile(out, 'utf8'), gen.stdout, gen.stderr, again.stdout, again.stderr]) {
      expect(t).not.toContain(canary);
    }
  });

  it('migrates a SOPS-encrypted Secret (age) and a SealedSecret (controller key), values only in AWS', async () => {
    const prefix = uniquePrefix('migrate-enc');
    const sm = client();
    const sops = await ksec(['eso', 'migrate', '-f', 'test/fixtures/sops/secret.enc.yaml', '--age-key-file', 'test/fixtures/sops/demo-age-key-1.txt', '--path', prefix, '--store', 'aws']);
    expect(sops.stderr).toMatch(/created AWS secret/);
    expect(sops.code).toBe(0);
    const dec = parse(await readFile('test/fixtures/sops/secret.dec.yaml', 'utf8'));
    const stored = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: `${prefix}/db` }))).SecretString!);
    expect(stored).toEqual({ ...Object.fromEntries(Object.entries(dec.data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()])), ...dec.stringData });
    valid(parse(sops.stdout));
    for (const v of [dec.stringData.password, Buffer.from(dec.data.token, 'base64').toString()]) {
      expect(sops.stdout + sops.stderr).not.toContain(v);
    }

    const sealed = await ksec(['eso', 'migrate', '-f', 'examples/secrets/app-secret.sealed.yaml', '--private-key', 'examples/keys/demo-sealed-secrets.key', '--path', prefix, '--store', 'aws']);
    expect(sealed.code).toBe(0);
    const plain = parse(await readFile('examples/secrets/app-secret.yaml', 'utf8'));
    const stored2 = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: `${prefix}/app-secret` }))).SecretString!);
    expect(stored2).toEqual({ ...plain.stringData, BINARY_BLOB: Buffer.from(plain.data.BINARY_BLOB, 'base64').toString() });
    const es = parse(sealed.stdout) as KubeObject;
    valid(es);
    expect(es.spec).toMatchObject({ target: { template: { metadata: { labels: { 'app.kubernetes.io/name': 'demo-app' } } } } });
    for (const v of Object.values(plain.stringData) as string[]) expect(sealed.stdout + sealed.stderr).not.toContain(v);

    const wrongKey = await ksec(['eso', 'migrate', '-f', 'test/fixtures/sops/secret.enc.yaml', '--age-key-file', 'test/fixtures/sops/demo-age-key-2.txt', '--path', prefix, '--store', 'aws']);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/no age identity matches/);
  });

  it('refuses non-Secrets and SealedSecrets without a key with exit 2, before any AWS call', async () => {
    const cm = join(work, 'cm.yaml');
    await writeFile(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    const r = await ksec(['eso', 'migrate', '-f', cm, '--path', 'p', '--store', 'aws'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected a Secret or SealedSecret, found ConfigMap/);
    const r2 = await ksec(['eso', 'migrate', '-f', 'examples/secrets/app-secret.sealed.yaml', '--path', 'p', '--store', 'aws'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/needs the controller's private key/);
  });
});
