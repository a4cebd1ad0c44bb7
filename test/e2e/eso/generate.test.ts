/**
 * `ksec eso generate` against the bed's moto: 1,000+ secrets on nested paths
 * (flat and nested JSON, strings, binary), several ListSecrets pages, secrets
 * scheduled for deletion, throttling and denied access injected by a proxy,
 * an unreachable endpoint. Every manifest is checked against the real v1 CRD
 * schema and ESO's webhook rules; the canary in every value must never appear.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { externalSecretProblems } from '../../../src/eso/validate.js';
import type { KubeObject } from '../../../src/manifest/objects.js';
import { runKsec, type KsecResult } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { crdErrors } from '../../unit/eso/crd-schema.js';
import { accessDenied, startAwsProxy, throttling, type AwsProxy } from './aws-proxy.js';
import { client, seed, uniquePrefix, type Seeded } from './seed.js';

const LIVE = 1_030;
const DELETED = 12;

let bed: Testbed;
let seeded: Seeded;
const proxies: AwsProxy[] = [];

function ksec(args: string[], env: NodeJS.ProcessEnv = {}): Promise<KsecResult> {
  return runKsec(args, { env: { ...bed.env, ...env } });
}

function expectNoCanary(...texts: string[]): void {
  for (const t of texts) expect(t).not.toContain(seeded.canary);
}

interface Es {
  metadata: { name: string; namespace?: string };
  spec: { data?: { secretKey: string; remoteRef: { key: string; property?: string } }[]; dataFrom?: unknown[]; target: { name: string } };
}

function checkManifest(obj: KubeObject): void {
  expect(crdErrors(obj), obj.metadata?.name).toEqual([]);
  expect(externalSecretProblems(obj), obj.metadata?.name).toEqual([]);
}

beforeAll(async () => {
  bed = testbed();
  seeded = await seed(client(), uniquePrefix('gen'), LIVE, DELETED);
}, 300_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
});

describe('ksec eso generate against moto', () => {
  it('writes one valid ExternalSecret per live secret, structure only, deleted secrets skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-eso-'));
    const r = await ksec(['eso', 'generate', '--path', `${seeded.prefix}/`, '--store', 'aws', '--namespace-from-path', '3', '-d', dir, '--stats']);
    expect(r.stderr).toMatch(/wrote 1030 ExternalSecret/);
    expect(r.code).toBe(0);
    // more than one ListSecrets page (100 a page), 20 secrets per BatchGetSecretValue
    const listCalls = Number(/ListSecrets (\d+)/.exec(r.stderr)?.[1]);
    const batchCalls = Number(/BatchGetSecretValue (\d+)/.exec(r.stderr)?.[1]);
    expect(listCalls).toBeGreaterThanOrEqual(Math.ceil(LIVE / 100));
    expect(batchCalls).toBe(Math.ceil(LIVE / 20));

    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(LIVE + 1);
    const kustomization = parse(await readFile(join(dir, 'kustomization.yaml'), 'utf8'));
    expect(kustomization.resources).toHaveLength(LIVE);
    expect(new Set(kustomization.resources)).toEqual(new Set(files.filter((f) => f !== 'kustomization.yaml')));

    const seen = new Set<string>();
    let texts = '';
    for (const f of files) {
      const text = await readFile(join(dir, f), 'utf8');
      texts += text;
      if (f === 'kustomization.yaml') continue;
      const es = parse(text) as Es & KubeObject;
      checkManifest(es);
      const key = es.spec.data![0]!.remoteRef.key;
      const source = seeded.live.get(key);
      expect(source, key).toBeDefined();
      seen.add(key);
      expect(es.metadata.namespace).toBe(key.split('/')[2]);
      expect(f).toBe(`${es.metadata.namespace}_${es.metadata.name}.yaml`);
      if (source!.kind === 'flat' || source!.kind === 'nested') {
        expect(es.spec.data!.map((d) => d.remoteRef.property)).toEqual(source!.keys);
        expect(es.spec.data!.map((d) => d.secretKey)).toEqual(source!.keys.map((k) => k.replace(' ', '_')));
      } else {
        expect(es.spec.data).toEqual([{ secretKey: key.split('/').pop(), remoteRef: { key } }]);
      }
    }
    expect(seen.size).toBe(LIVE);
    for (const d of seeded.deleted) expect(texts).not.toContain(d);
    expectNoCanary(r.stdout, r.stderr, texts);
  });

  it('streams YAML to stdout in extract and flatten modes', async () => {
    const sub = `${seeded.prefix}/team-1/`;
    const extract = await ksec(['eso', 'generate', '--path', sub, '--store', 'aws', '--mode', 'extract', '--deletion-policy', 'Delete']);
    expect(extract.code).toBe(0);
    const docs = parseAllDocuments(extract.stdout).map((d) => d.toJS() as Es & KubeObject);
    const expected = [...seeded.live.keys()].filter((k) => k.startsWith(sub));
    expect(docs).toHaveLength(expected.length);
    for (const es of docs) {
      checkManifest(es);
      const key = (es.spec.dataFrom?.[0] as { extract?: { key: string } } | undefined)?.extract?.key ?? es.spec.data?.[0]?.remoteRef.key;
      const kind = seeded.live.get(key!)!.kind;
      if (kind === 'flat' || kind === 'nested') expect(es.spec.dataFrom).toEqual([{ extract: { key }, rewrite: [{ regexp: { source: '[^-._a-zA-Z0-9]', target: '_' } }] }]);
      else expect(es.spec.data).toHaveLength(1);
    }
    const flat = await ksec(['eso', 'generate', '--path', sub, '--store', 'aws', '--flatten', '--strip-prefix']);
    expect(flat.code).toBe(0);
    const nested = parseAllDocuments(flat.stdout)
      .map((d) => d.toJS() as Es & KubeObject)
      .find((es) => seeded.live.get(es.spec.data![0]!.remoteRef.key)!.kind === 'nested')!;
    expect(nested.metadata.name).not.toContain('ksec-e2e');
    expect(nested.spec.data!.map((d) => d.remoteRef.property)).toEqual(['db.host', 'db.port', 'token']);
    expectNoCanary(extract.stdout, extract.stderr, flat.stdout, flat.stderr);
  });

  it('find mode makes one ExternalSecret for the prefix', async () => {
    const r = await ksec(['eso', 'generate', '--path', `${seeded.prefix}/team-2`, '--store', 'aws', '--mode', 'find', '-n', 'apps', '--stats']);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject);
    expect(docs).toHaveLength(1);
    checkManifest(docs[0]!);
    expect(r.stderr).not.toMatch(/BatchGetSecretValue/);
  });

  it('retries throttled requests with backoff and succeeds', async () => {
    const proxy = await startAwsProxy(bed.awsEndpoint, (op, _b, n) => ((op === 'ListSecrets' && n <= 2) || (op === 'BatchGetSecretValue' && n <= 3) ? throttling : undefined));
    proxies.push(proxy);
    const r = await ksec(['eso', 'generate', '--path', `${seeded.prefix}/team-3/`, '--store', 'aws', '--stats'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(proxy.faults).toBe(5);
    // the CLI's own count: more HTTP requests than calls, by the retries
    const calls = Number(/\((\d+) calls, (\d+) HTTP/.exec(r.stderr)?.[1]);
    const requests = Number(/\((\d+) calls, (\d+) HTTP/.exec(r.stderr)?.[2]);
    expect(requests - calls).toBe(5);
    expect(parseAllDocuments(r.stdout).length).toBe([...seeded.live.keys()].filter((k) => k.startsWith(`${seeded.prefix}/team-3/`)).length);
  });

  it('gives up on endless throttling with exit 3 after AWS_MAX_ATTEMPTS', async () => {
    const proxy = await startAwsProxy(bed.awsEndpoint, () => throttling);
    proxies.push(proxy);
    const r = await ksec(['eso', 'generate', '--path', `${seeded.prefix}/`, '--store', 'aws'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url, AWS_MAX_ATTEMPTS: '2' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/kept throttling secretsmanager:ListSecrets/);
    expect(proxy.seen.ListSecrets).toBe(2);
  });

  it('names the IAM action when access is denied (whole call and per secret)', async () => {
    const whole = await startAwsProxy(bed.awsEndpoint, (op) => (op === 'BatchGetSecretValue' ? accessDenied('secretsmanager:BatchGetSecretValue') : undefined));
    proxies.push(whole);
    const r1 = await ksec(['eso', 'generate', '--path', `${seeded.prefix}/team-4/`, '--store', 'aws'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: whole.url });
    expect(r1.code).toBe(3);
    expect(r1.stderr).toMatch(/AWS denied secretsmanager:BatchGetSecretValue/);
    expect(r1.stderr).toMatch(/allow the IAM action secretsmanager:BatchGetSecretValue/);
    expect(r1.stderr.trim().split('\n')).toHaveLength(1);
    expect(r1.stdout).toBe('');

    // BatchGetSecretValue reports a secret it may not read in Errors[], as AWS does when GetSecretValue is denied on it
    const perSecret = await startAwsProxy(bed.awsEndpoint, (op, body) => {
      if (op !== 'BatchGetSecretValue') return undefined;
      const ids = (body as { SecretIdList: string[] }).SecretIdList;
      return { status: 200, body: { SecretValues: [], Errors: ids.map((id) => ({ SecretId: id, ErrorCode: 'AccessDeniedException', Message: 'denied' })) } };
    });
    proxies.push(perSecret);
    const r2 = await ksec(['eso', 'generate', '--path', `${seeded.prefix}/team-4/`, '--store', 'aws'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: perSecret.url });
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/AWS denied secretsmanager:GetSecretValue on \d+ secret\(s\): ksec-e2e-gen-\w+\/team-4\//);
  });

  it('exits 3 when the endpoint is unreachable, 2 on bad input', async () => {
    const r = await ksec(['eso', 'generate', '--path', 'x/', '--store', 'aws'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach AWS Secrets Manager/);
    const bad = await ksec(['eso', 'generate', '--path', 'x/', '--store', 'Bad_Store']);
    expect(bad.code).toBe(2);
    const none = await ksec(['eso', 'generate', '--path', `${seeded.prefix}-nothing/`, '--store', 'aws']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no secrets found/);
    const invalid = await ksec(['eso', 'generate', '--path', 'bad|prefix', '--store', 'aws']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/invalid path prefix/);
  });
});
