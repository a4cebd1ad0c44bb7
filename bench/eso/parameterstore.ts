/**
 * `ksec eso generate --service parameterstore`: AWS API calls and wall time per generate, against a
 * moto server this script starts on a free loopback port (the shared bed's moto is left alone) and
 * stops at the end. Counts come from the CLI's own `--stats` line (calls, and HTTP requests with
 * retries); the naive count is what one GetParameter per parameter would cost.
 *
 *   npx tsx bench/eso/parameterstore.ts [--sizes 100,1000] [--runs 3] [--moto PATH]
 *
 * Prints a Markdown table: per size and mode, the calls (GetParametersByPath pages) and the median
 * wall time of the CLI end to end (node start-up included, YAML to stdout).
 */
import { performance } from 'node:perf_hooks';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { runKsec } from '../../test/helpers/run-ksec.js';
import { startMoto } from './moto.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const sizes = flag('--sizes', '100,1000').split(',').map(Number);
const runs = Number(flag('--runs', '3'));
const motoBin = flag('--moto', process.env.KSEC_BENCH_MOTO ?? 'moto_server');

/** `count` parameters under `path`: a third JSON SecureStrings, a third plain Strings, a third StringLists. */
async function seed(ssm: SSMClient, path: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const name = `${path}/team-${i % 10}/svc-${i}`;
    const kind = i % 3;
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: kind === 0 ? 'SecureString' : kind === 1 ? 'String' : 'StringList',
        Value: kind === 0 ? JSON.stringify({ username: 'u', password: 'p', port: 5432 }) : kind === 1 ? 'plain' : 'a,b,c',
      }),
    );
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const moto = await startMoto(motoBin);
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL_SSM: moto.url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const ssm = new SSMClient({ endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const rows: string[] = [];
  try {
    for (const size of sizes) {
      const path = `/bench-${size}/prod`;
      const t0 = performance.now();
      await seed(ssm, path, size);
      console.error(`seeded ${size} parameters in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      for (const mode of ['data', 'extract', 'find']) {
        const times: number[] = [];
        let stats = '';
        for (let r = 0; r < runs; r++) {
          const t = performance.now();
          const out = await runKsec(['eso', 'generate', '--service', 'parameterstore', '--path', `${path}/`, '--store', 'aws', '--mode', mode, '--stats'], { env });
          times.push(performance.now() - t);
          if (out.code !== 0) throw new Error(`ksec failed: ${out.stderr}`);
          stats = /AWS API calls: (.*)/.exec(out.stderr)?.[1] ?? '?';
        }
        rows.push(`| ${size.toLocaleString('en')} | ${mode} | ${stats} | ${size.toLocaleString('en')} | ${(median(times) / 1000).toFixed(2)} s |`);
      }
    }
  } finally {
    moto.proc.kill();
  }
  console.log('| parameters | mode | ksec API calls (`--stats`) | naive (GetParameter each) | `ksec eso generate` end to end |');
  console.log('|---:|---|---|---:|---:|');
  for (const row of rows) console.log(row);
  console.log(`\nmedian of ${runs} runs; moto ${motoBin}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
