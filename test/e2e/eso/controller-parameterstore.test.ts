/**
 * Parameter Store end to end: moto -> `ksec eso generate --service parameterstore` -> the real ESO
 * controller -> Secrets with moto's values, byte for byte.
 *
 * moto holds String (plain and JSON with odd and nested keys), StringList and SecureString (plain and
 * JSON) parameters, on deep paths, enough of them for several GetParametersByPath pages. A loopback
 * proxy in front of moto (aws-proxy.ts, forwarding everything) records each request ksec makes, so
 * the test can count the calls (pages only: GetParametersByPath returns the values with the names,
 * there is nothing to batch) and see that `WithDecryption` is asked for only when the mode needs
 * the shape of the values.
 */
import { randomBytes } from 'node:crypto';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKsec, type KsecResult } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { startAwsProxy, type AwsProxy } from './aws-proxy.js';
import { Cluster, docs, ready, type Obj } from './cluster.js';
import { EsoController, installEsoCrds, tearDownEso, waitFor } from './controller.js';

const EXTRA = 27; // plain parameters on top of the shapes: more than three pages of 10

let bed: Testbed;
let k: Cluster;
let eso: EsoController | undefined;
let proxy: AwsProxy;
let ns: string;
const run = randomBytes(4).toString('hex');
const ROOT = `/ksec-e2e-ps-${run}/prod`;
const STORE = `ksec-e2e-ps-${run}`;
const CANARY = `CANARY-${randomBytes(6).toString('hex')}`;
const stored = new Map<string, { type: 'String' | 'StringList' | 'SecureString'; value: string }>();
const requests: { operation: string; withDecryption?: boolean }[] = [];

const json = { user: `u-${CANARY}`, 'api key': CANARY, 'dotted.key': 'dot', nested: { host: `h-${CANARY}`, port: 5432 }, n: 7 };

async function put(ssm: SSMClient, name: string, type: 'String' | 'StringList' | 'SecureString', value: string): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: name, Type: type, Value: value }));
  stored.set(name, { type, value });
}

function ksec(args: string[]): Promise<KsecResult> {
  return runKsec(args, { env: { ...bed.env, AWS_ENDPOINT_URL_SSM: proxy.url } });
}

async function ok(args: string[]): Promise<KsecResult> {
  const r = await ksec(args);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  return r;
}

function propertyValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function synced(names: string[]): ReturnType<Cluster['secrets']> {
  for (const name of names) {
    const s = await waitFor(
      () => k.status('ExternalSecret', name, ns),
      (s) => ready(s)?.status === 'True' || ready(s)?.reason === 'SecretSyncedError',
      `ExternalSecret ${name} to sync`,
      90_000,
    );
    expect(ready(s), `${name}: ${ready(s)?.message}\n${eso?.raw.slice(-2000)}`).toMatchObject({ status: 'True' });
  }
  return k.secrets(ns);
}

beforeAll(async () => {
  bed = testbed();
  k = new Cluster(bed);
  proxy = await startAwsProxy(bed.awsEndpoint, (operation, body) => {
    requests.push({ operation, withDecryption: (body as { WithDecryption?: boolean } | undefined)?.WithDecryption });
    return undefined;
  });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const ssm = new SSMClient({ endpoint: bed.awsEndpoint, maxAttempts: 5 });
  await put(ssm, `${ROOT}/db/password`, 'SecureString', `pw ${CANARY} ✓`);
  await put(ssm, `${ROOT}/db/config`, 'SecureString', JSON.stringify(json));
  await put(ssm, `${ROOT}/app/settings`, 'String', JSON.stringify({ ...json, plain: 'yes' }));
  await put(ssm, `${ROOT}/app/hosts`, 'StringList', `a.example,b.example,${CANARY}`);
  await put(ssm, `${ROOT}/app/url`, 'String', `https://example.invalid/${CANARY}?a=1&b=2`);
  await put(ssm, `${ROOT}/deep/a/b/c/d/leaf`, 'String', `leaf-${CANARY}`);
  await put(ssm, `${ROOT}/Odd_Name.v2`, 'String', `odd-${CANARY}`);
  for (let i = 0; i < EXTRA; i++) await put(ssm, `${ROOT}/many/p-${String(i).padStart(2, '0')}`, i % 2 ? 'String' : 'SecureString', `v${i}-${CANARY}`);
  // outside the path: never listed
  await put(ssm, `/ksec-e2e-ps-${run}/production/other`, 'String', 'other');

  await installEsoCrds(bed);
  ns = await k.namespace('ksec-esops');
  await k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-creds' }, stringData: { 'access-key-id': 'AKIAKSECE2E', 'secret-access-key': 'ksec-e2e' } } as Obj], ns);
  const store = await ok(['eso', 'store', '--name', STORE, '--service', 'parameterstore', '--region', 'us-east-1', '--auth', 'secret-ref', '--secret-name', 'aws-creds', '--secret-namespace', ns]);
  const storeObj = docs(store.stdout)[0]!;
  expect((storeObj.spec as { provider: { aws: { service: string } } }).provider.aws.service).toBe('ParameterStore');
  await k.apply([storeObj]);
  eso = await EsoController.start(bed, { namespace: ns });
  await waitFor(() => k.status('ClusterSecretStore', STORE), (s) => ready(s)?.status === 'True', `ClusterSecretStore ${STORE} ready`);
}, 600_000);

afterAll(async () => {
  await proxy?.close();
  await tearDownEso(bed, eso, ns, STORE);
});

const underRoot = () => [...stored.keys()].filter((n) => n.startsWith(`${ROOT}/`));

describe('ESO syncs what ksec generates from Parameter Store', () => {
  it('data mode: String, StringList and SecureString; JSON parameters one key per property', async () => {
    requests.length = 0;
    const r = await ok(['eso', 'generate', '--service', 'parameterstore', '--path', `${ROOT}/`, '--store', STORE, '-n', ns, '--stats']);
    const n = underRoot().length;
    const pages = Math.ceil(n / 10);
    // pages only, every one decrypting (data mode needs the shape of SecureString values)
    expect(requests.map((q) => q.operation)).toEqual(Array(pages).fill('AmazonSSM.GetParametersByPath'));
    expect(requests.every((q) => q.withDecryption === true)).toBe(true);
    expect(r.stderr).toContain(`GetParametersByPath ${pages} (${pages} calls`);
    const objects = docs(r.stdout);
    expect(objects).toHaveLength(n);
    await k.apply(objects);
    const secrets = await synced(objects.map((o) => o.metadata.name));
    for (const es of objects) {
      const spec = es.spec as { target: { name: string }; data: { secretKey: string; remoteRef: { key: string; property?: string } }[] };
      const got = secrets.get(spec.target.name)!.data;
      expect([...got.keys()].sort()).toEqual(spec.data.map((d) => d.secretKey).sort());
      for (const d of spec.data) {
        const p = stored.get(d.remoteRef.key)!;
        const want = d.remoteRef.property === undefined ? p.value : propertyValue(JSON.parse(p.value)[d.remoteRef.property.replace(/\\(.)/g, '$1')]);
        expect(got.get(d.secretKey)!.toString('utf8'), `${d.remoteRef.key} ${d.remoteRef.property ?? ''}`).toBe(want);
      }
    }
    const config = objects.find((o) => (o.spec as { data: { remoteRef: { key: string } }[] }).data[0]!.remoteRef.key === `${ROOT}/db/config`)!;
    expect((config.spec as { data: { secretKey: string }[] }).data.map((d) => d.secretKey)).toEqual(['user', 'api_key', 'dotted.key', 'nested', 'n']);
  });

  it('extract mode for JSON parameters, whole values for the rest', async () => {
    const r = await ok(['eso', 'generate', '--service', 'ParameterStore', '--path', `${ROOT}/app`, '--path', `${ROOT}/db/`, '--store', STORE, '-n', ns, '--mode', 'extract', '--strip-prefix']);
    const objects = docs(r.stdout);
    expect(objects.map((o) => o.metadata.name).sort()).toEqual(['config', 'hosts', 'password', 'settings', 'url']);
    await k.apply(objects);
    const secrets = await synced(objects.map((o) => o.metadata.name));
    const settings = secrets.get('settings')!.data;
    expect(Object.fromEntries([...settings].map(([key, v]) => [key, v.toString()]))).toEqual({
      user: json.user,
      api_key: CANARY,
      'dotted.key': 'dot',
      nested: JSON.stringify(json.nested),
      n: '7',
      plain: 'yes',
    });
    expect(secrets.get('hosts')!.data.get('hosts')!.toString()).toBe(stored.get(`${ROOT}/app/hosts`)!.value);
    expect(secrets.get('password')!.data.get('password')!.toString()).toBe(`pw ${CANARY} ✓`);
  });

  it('find mode reads names only (no decryption) and ESO brings every parameter below the path', async () => {
    requests.length = 0;
    const r = await ok(['eso', 'generate', '--service', 'parameterstore', '--path', `${ROOT}/many/`, '--store', STORE, '-n', ns, '--mode', 'find']);
    expect(requests.length).toBe(Math.ceil(EXTRA / 10));
    expect(requests.every((q) => q.withDecryption === false)).toBe(true);
    const objects = docs(r.stdout);
    expect(objects).toHaveLength(1);
    expect((objects[0]!.spec as { dataFrom: { find: { path: string } }[] }).dataFrom[0]!.find.path).toBe(`${ROOT}/many`);
    await k.apply(objects);
    const secrets = await synced([objects[0]!.metadata.name]);
    const got = secrets.get((objects[0]!.spec as { target: { name: string } }).target.name)!.data;
    const want = new Map([...stored].filter(([name]) => name.startsWith(`${ROOT}/many/`)).map(([name, p]) => [name.slice(`${ROOT}/many/`.length), p.value]));
    expect(new Map([...got].map(([key, v]) => [key, v.toString()]))).toEqual(want);
  });

  it('bad paths are refused before any call, an empty path is exit 2 with a hint', async () => {
    requests.length = 0;
    const bad = await ksec(['eso', 'generate', '--service', 'parameterstore', '--path', 'no-leading-slash', '--store', STORE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid Parameter Store path "no-leading-slash"/);
    expect(requests).toEqual([]);
    const empty = await ksec(['eso', 'generate', '--service', 'parameterstore', '--path', `${ROOT}/nothing-here/`, '--store', STORE]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no parameters found under/);
  });
});
