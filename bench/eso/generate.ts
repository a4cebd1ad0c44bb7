/**
 * `ksec eso generate` discovery vs the naive approach (ListSecrets, then one
 * GetSecretValue per secret), against a moto server this script starts on a
 * free loopback port (the shared bed's moto is left alone: 10,000 extra
 * secrets would slow everyone's ListSecrets) and stops at the end.
 *
 *   npx tsx bench/eso/generate.ts [--sizes 1000,10000] [--runs 5] [--moto PATH]
 *
 * Both sides run in this process with the same SDK client settings and the
 * same request concurrency (4 in flight); the CLI end to end (node start-up,
 * YAML stream on stdout) is timed too. Prints a Markdown table.
 */
import { performance } from 'node:perf_hooks';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { openSession, type AwsStats } from '../../src/eso/aws.js';
import { discoverAwsSecrets } from '../../src/eso/discover.js';
import { runKsec } from '../../test/helpers/run-ksec.js';
import { startMoto } from './moto.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const sizes = flag('--sizes', '1000,10000').split(',').map(Number);
const runs = Number(flag('--runs', '5'));
const motoBin = flag('--moto', process.env.KSEC_BENCH_MOTO ?? 'moto_server');
const CONCURRENCY = 4;

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function seed(prefix: string, count: number): Promise<void> {
  const { client } = await openSession();
  const names = Array.from({ length: count }, (_, i) => `${prefix}/team-${i % 10}/svc-${i}`);
  // one at a time: moto 5.x races (HTTP 500, "dictionary changed size during iteration") on concurrent CreateSecret
  await pool(names, 1, async (name) => {
    const i = Number(name.split('-').pop());
    const value = i % 3 === 2 ? 'plain-token' : JSON.stringify({ username: 'u', password: 'p', host: 'h', port: 5432 });
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  });
}

function total(stats: AwsStats, table: 'operations' | 'requests'): number {
  return Object.values(stats[table]).reduce((a, b) => a + b, 0);
}

/** ListSecrets + one GetSecretValue per secret, same client settings and concurrency. */
async function naive(prefix: string): Promise<{ secrets: number; stats: AwsStats }> {
  const session = await openSession();
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await session.client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100, NextToken: token }));
    for (const s of page.SecretList ?? []) if (s.Name) names.push(s.Name);
    token = page.NextToken || undefined;
  } while (token);
  let keys = 0;
  await pool(names, CONCURRENCY, async (name) => {
    const v = await session.client.send(new GetSecretValueCommand({ SecretId: name }));
    try {
      keys += Object.keys(JSON.parse(v.SecretString ?? '')).length;
    } catch {
      keys += 1;
    }
  });
  return { secrets: names.length, stats: session.stats };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function main(): Promise<void> {
  const moto = await startMoto(motoBin);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = moto.url;
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const rows: string[] = [];
  try {
    for (const size of sizes) {
      const prefix = `bench-${size}`;
      const seeded = await time(() => seed(prefix, size));
      console.error(`seeded ${size} secrets in ${(seeded.ms / 1000).toFixed(1)} s`);
      const ours: number[] = [];
      const theirs: number[] = [];
      const cli: number[] = [];
      let ourCalls = 0;
      let ourRequests = 0;
      let naiveCalls = 0;
      for (let r = 0; r < runs; r++) {
        const a = await time(() => discoverAwsSecrets([`${prefix}/`]));
        if (a.value.sources.length !== size) throw new Error(`ksec found ${a.value.sources.length} of ${size}`);
        ours.push(a.ms);
        ourCalls = total(a.value.stats, 'operations');
        ourRequests = total(a.value.stats, 'requests');
        const b = await time(() => naive(`${prefix}/`));
        if (b.value.secrets !== size) throw new Error(`naive found ${b.value.secrets} of ${size}`);
        theirs.push(b.ms);
        naiveCalls = total(b.value.stats, 'operations');
        const c = await time(() => runKsec(['eso', 'generate', '--path', `${prefix}/`, '--store', 'aws'], { env: process.env }));
        if (c.value.code !== 0) throw new Error(`ksec CLI failed: ${c.value.stderr}`);
        cli.push(c.ms);
        console.error(`  run ${r + 1}/${runs}: ksec ${a.ms.toFixed(0)} ms, naive ${b.ms.toFixed(0)} ms, CLI ${c.ms.toFixed(0)} ms`);
      }
      rows.push(
        `| ${size.toLocaleString('en')} | ${(median(ours) / 1000).toFixed(2)} s | ${ourCalls} (${ourRequests} HTTP) | ${(median(theirs) / 1000).toFixed(2)} s | ${naiveCalls} | ${(median(theirs) / median(ours)).toFixed(1)}x | ${(median(cli) / 1000).toFixed(2)} s |`,
      );
    }
  } finally {
    moto.proc.kill();
  }
  console.log('| secrets | ksec discovery | ksec API calls | naive (GetSecretValue each) | naive API calls | speed-up | `ksec eso generate` CLI end to end (YAML to stdout) |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log(`\nmedian of ${runs} runs; ${CONCURRENCY} requests in flight on both sides; moto ${motoBin}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
