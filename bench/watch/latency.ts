/**
 * ksec watch on the test bed: N Deployments (auto), each using M ConfigMaps
 * of 8 KiB (defaults 1,000 and 10, so 10,000 ConfigMaps). Measures
 *  - startup: time to caches synced and baselines recorded, rollouts on start (must be 0)
 *  - event-to-rollout latency p50/p99 (ConfigMap PATCH sent → Deployment generation bump seen
 *    on an independent watch), with --debounce 0s
 *  - API requests per change (the watcher's ksec_watch_api_requests_total)
 *  - watcher RSS (VmRSS, VmHWM from /proc) after sync and after the changes
 *  - rollouts caused by a watcher restart (must be 0)
 * Runs R rounds of C changes and reports the median of the rounds' p50/p99.
 * The watcher runs in in-cluster mode (service account files + KUBERNETES_SERVICE_HOST), as in a pod.
 *
 *   eval "$(npm run -s testbed:up)" && npm run -s build
 *   npx tsx bench/watch/latency.ts            # BENCH_DEPLOYMENTS=1000 BENCH_CM_PER_DEPLOYMENT=10 BENCH_CHANGES=50 BENCH_ROUNDS=3
 *
 * bench/watch/side-by-side.ts runs the same kind of data against stakater Reloader too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testbed } from '../../test/e2e/testbed/env.js';
import { WatcherProcess, eventually, kube, mergePatch } from '../../test/e2e/watch/helpers.js';
import { median, percentile, pool, rss, RolloutWatch } from './measure.js';

const N = Number(process.env.BENCH_DEPLOYMENTS ?? 1000);
const M = Number(process.env.BENCH_CM_PER_DEPLOYMENT ?? 10);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const bed = testbed();
const k = kube(bed);

const payload = 'x'.repeat(8 * 1024 - 16);

async function main() {
  const ns = await k.namespace('bench-watch');
  console.error(`namespace ${ns}: creating ${N * M} ConfigMaps of 8 KiB and ${N} Deployments`);
  const t0 = performance.now();
  const cms = Array.from({ length: N * M }, (_, i) => i);
  await pool(cms, 16, (i) => k.configMap(ns, `cm-${i}`, { payload, v: '0' }));
  await pool(Array.from({ length: N }, (_, i) => i), 16, (i) =>
    k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: `d-${i}`, annotations: { 'reloader.stakater.com/auto': 'true' } },
      spec: {
        selector: { matchLabels: { app: `d-${i}` } },
        replicas: 0,
        template: {
          metadata: { labels: { app: `d-${i}` } },
          spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: Array.from({ length: M }, (_, j) => ({ configMapRef: { name: `cm-${i * M + j}` } })) }] },
        },
      },
    }),
  );
  console.error(`created in ${Math.round(performance.now() - t0)} ms`);

  const saDir = mkdtempSync(join(tmpdir(), 'ksec-bench-sa-'));
  writeFileSync(join(saDir, 'token'), bed.adminToken, { mode: 0o600 });
  writeFileSync(join(saDir, 'ca.crt'), bed.caPem);
  writeFileSync(join(saDir, 'namespace'), ns);
  const api = new URL(bed.apiserverUrl);
  // the image's heap settings (deploy/Dockerfile, chart): BENCH_NODE_OPTIONS='' measures Node's defaults
  const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=128 --max-semi-space-size=2';
  const env = { NODE_OPTIONS: nodeOptions, KSEC_SERVICEACCOUNT_DIR: saDir, KUBERNETES_SERVICE_HOST: api.hostname, KUBERNETES_SERVICE_PORT: api.port, KUBECONFIG: '', HOME: saDir };
  const args = ['--namespaces', ns, '--debounce', '0s', '--patch-qps', '1000', '--patch-burst', '1000', '--ignored-workload-types', 'statefulsets,daemonsets,cronjobs', '--no-events'];
  const requests = async () => w.metric('ksec_watch_api_requests_total');

  const rolloutWatch = new RolloutWatch(bed, ns);
  rolloutWatch.start();
  const bumps = rolloutWatch.rollouts;

  const startAt = performance.now();
  let w = new WatcherProcess(args, env);
  await w.waitFor('caches synced', () => true, 600_000);
  const syncedMs = performance.now() - startAt;
  await eventually(() => Promise.resolve(w.count('recorded baseline')), (n) => n === N, 600_000, 'baselines');
  const baselineMs = performance.now() - startAt;
  const afterSync = rss(w.child.pid!);
  const startupRollouts = bumps.length;

  const rounds: Array<{ p50: number; p99: number; requestsPerChange: number }> = [];
  let changeNo = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const latencies: number[] = [];
    const reqBefore = await requests();
    for (let c = 0; c < CHANGES; c++) {
      const d = Math.floor(Math.random() * N);
      const cm = `cm-${d * M + Math.floor(Math.random() * M)}`;
      const already = bumps.length;
      const sent = performance.now();
      const status = await mergePatch(bed, `/api/v1/namespaces/${ns}/configmaps/${cm}`, { data: { v: String(++changeNo) } });
      if (status !== 200) throw new Error(`patch ${cm}: ${status}`);
      const bump = await eventually(async () => bumps.slice(already).find((b) => b.name === `d-${d}`), (b) => b !== undefined, 60_000, `rollout of d-${d}`);
      latencies.push(bump!.at - sent);
    }
    latencies.sort((a, b) => a - b);
    rounds.push({ p50: percentile(latencies, 50), p99: percentile(latencies, 99), requestsPerChange: ((await requests()) - reqBefore) / CHANGES });
    console.error(`round ${r + 1}: p50 ${rounds.at(-1)!.p50.toFixed(1)} ms, p99 ${rounds.at(-1)!.p99.toFixed(1)} ms, ${rounds.at(-1)!.requestsPerChange.toFixed(2)} requests/change`);
  }
  const afterChanges = rss(w.child.pid!);
  const metrics = await w.metrics();

  // restart: nothing may roll
  await w.stop('SIGTERM');
  const beforeRestart = bumps.length;
  w = new WatcherProcess(args, env);
  const pass = await w.waitFor('full evaluation', () => true, 600_000);
  // a sentinel change after the restart's full pass: once it has rolled, every decision of the pass has been acted on
  const sentinelAt = bumps.length;
  await mergePatch(bed, `/api/v1/namespaces/${ns}/configmaps/cm-0`, { data: { v: 'sentinel' } });
  await eventually(async () => bumps.slice(sentinelAt).some((b) => b.name === 'd-0'), Boolean, 60_000, 'sentinel');
  const restartRollouts = bumps.length - beforeRestart - 1;
  await w.stop('SIGTERM');
  rolloutWatch.stop();
  await k.deleteNamespace(ns);

  const result = {
    deployments: N,
    configMaps: N * M,
    configMapBytes: 8 * 1024,
    changesPerRound: CHANGES,
    rounds: ROUNDS,
    syncedMs: Math.round(syncedMs),
    baselinesRecordedMs: Math.round(baselineMs),
    rolloutsOnFirstStart: startupRollouts,
    rolloutsOnRestart: restartRollouts,
    restartPass: { toRoll: pass.toRoll, toBaseline: pass.toBaseline },
    p50Ms: Number(median(rounds.map((r) => r.p50)).toFixed(1)),
    p99Ms: Number(median(rounds.map((r) => r.p99)).toFixed(1)),
    apiRequestsPerChange: Number(median(rounds.map((r) => r.requestsPerChange)).toFixed(2)),
    rssAfterSyncMB: afterSync.rssMB,
    rssAfterChangesMB: afterChanges.rssMB,
    peakRssMB: afterChanges.hwmMB,
    watcherHistogram: metrics.split('\n').filter((l) => l.startsWith('ksec_watch_event_to_patch_seconds_') && !l.includes('bucket')),
    node: process.version,
    watcherNodeOptions: nodeOptions,
  };
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
