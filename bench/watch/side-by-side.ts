/**
 * `ksec watch` and stakater Reloader v1.4.14 (the bed's `reloader`) side by side: same bed, same
 * data, same changes, one tool at a time, in cluster (the chart's way: service-account files, the
 * chart's NODE_OPTIONS and MALLOC_ARENA_MAX for ksec) and out of cluster (KUBECONFIG).
 *
 * Data per size DxM: D Deployments annotated reloader.stakater.com/auto: "true", each using M
 * ConfigMaps of 8 KiB through envFrom (D*M ConfigMaps), plus one probe Deployment/ConfigMap
 * used to tell when a tool handles updates (its informers have listed). Both tools see only this
 * namespace (KUBERNETES_NAMESPACE). Each tool runs with its defaults; ksec also gets
 * `--debounce 0s` (Reloader has no debounce; ksec's 2 s default window would be measured instead).
 *
 * Per tool and mode:
 *  - sync: start until the probe rolls; RSS (VmRSS) BENCH_SETTLE_S (20) s later (both runtimes return freed memory on a timer: V8's memory reducer about 8 s after a full collection);
 *  - R rounds of C changes 500 ms apart (send to send), then R rounds back to back (the next
 *    change as soon as the previous one's rollout is seen): each change PATCHes one ConfigMap and
 *    waits until its Deployment's pod template changes on an independent watch; p50/p99 per round,
 *    the median over rounds; API requests and CPU (utime+stime) per change over the spaced rounds;
 *  - RSS after the first round of C changes (measured BENCH_SETTLE_S after it), and the peak
 *    (VmHWM) at the end.
 * Then, in cluster only, per tool (Reloader first, then ksec, so ksec's first start is a take-over):
 *  - a ConfigMap changed while the tool is stopped, then a restart with the same flags: whether that
 *    Deployment rolled (once), and how many other rollouts the restart caused;
 *  - a restart with `--reload-on-create=true --sync-after-restart=true`: rollouts until quiet
 *    (at most BENCH_MASS_WINDOW_S).
 * (ksec's first start there follows Reloader's runs on workloads ksec itself stamped before: it is
 * reported, but it is no take-over.)
 * BENCH_TAKEOVER=1 adds the take-over matrix (fresh namespaces of BENCH_TAKEOVER_SIZE, 20x10): for
 * each Reloader flag combination, Reloader runs with it and handles 5 changes; ksec starts with the
 * same flags (take-over), handles 5 changes, restarts (restart): rollouts at each start.
 *
 * BENCH_TOOLS=floor runs floor-reactor.mjs instead of a tool: the least any reloader can do per change
 * (one PATCH, no hashing, no events), so the API server's and the bench's own share of the latency shows.
 *
 *   eval "$(npm run -s testbed:up)" && npm run -s build
 *   npx tsx bench/watch/side-by-side.ts    # BENCH_SIZES=200x10,1000x10 (empty: none) BENCH_MODES=in,out BENCH_TOOLS=reloader,ksec
 *                                          # BENCH_CHANGES=50 BENCH_ROUNDS=3 BENCH_MASS_WINDOW_S=300 BENCH_TAKEOVER=0
 * Prints progress on stderr and one JSON document on stdout.
 */
import { testbed } from '../../test/e2e/testbed/env.js';
import { createProbe, PROBE } from '../../test/e2e/watch/reloader.js';
import { kube, mergePatch, sleep } from '../../test/e2e/watch/helpers.js';
import { cpuMs, median, percentile, pool, rss, RolloutWatch } from './measure.js';
import { chartRuntimeEnv, startFloor, startKsec, startReloader, type Mode, type Peer, type ToolName } from './peers.js';

const env = process.env;
const SIZES = (env.BENCH_SIZES ?? '200x10').split(',').filter(Boolean).map((s) => s.split('x').map(Number) as [number, number]);
const MODES = (env.BENCH_MODES ?? 'in,out').split(',') as Mode[];
const TOOLS = (env.BENCH_TOOLS ?? 'reloader,ksec').split(',') as ToolName[];
const CHANGES = Number(env.BENCH_CHANGES ?? 50);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const SPACING_MS = Number(env.BENCH_SPACING_MS ?? 500);
const MASS_WINDOW_MS = Number(env.BENCH_MASS_WINDOW_S ?? 300) * 1000;
const RESTARTS = env.BENCH_RESTARTS !== '0';
const TAKEOVER = env.BENCH_TAKEOVER === '1';
const TAKEOVER_SIZE = (env.BENCH_TAKEOVER_SIZE ?? '20x10').split('x').map(Number) as [number, number];
const SETTLE_MS = Number(env.BENCH_SETTLE_S ?? 20) * 1000;
const KSEC_ARGS = ['--debounce', '0s'];
const ROC_SAR = ['--reload-on-create=true', '--sync-after-restart=true'];

const bed = testbed();
const k = kube(bed);
const payload = 'x'.repeat(8 * 1024 - 16);
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** The same pseudo-random change sequence for every tool (a 32-bit LCG). */
function changes(seed: number, d: number, m: number) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return () => {
    const dep = Math.floor(next() * d);
    return { deployment: `d-${dep}`, configMap: `cm-${dep * m + Math.floor(next() * m)}` };
  };
}

let changeNo = 0;
async function change(ns: string, configMap: string): Promise<void> {
  const status = await mergePatch(bed, `/api/v1/namespaces/${ns}/configmaps/${configMap}`, { data: { v: `${++changeNo}` } });
  if (status !== 200) throw new Error(`PATCH configmaps/${configMap}: ${status}`);
}

function start(tool: ToolName, ns: string, mode: Mode, args: string[]): Promise<Peer> {
  if (tool === 'floor') return startFloor(bed, ns);
  return tool === 'reloader' ? startReloader(bed, ns, mode, args) : Promise.resolve(startKsec(bed, ns, mode, [...KSEC_ARGS, ...args]));
}

/** Changes the probe's ConfigMap every 2 s until the probe Deployment rolls: the tool handles updates. */
async function ready(peer: Peer, ns: string, watch: RolloutWatch, timeoutMs = 600_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (peer.exited) throw new Error(`${peer.tool} exited:\n${peer.output().slice(-3000)}`);
    const from = watch.rollouts.length;
    await change(ns, PROBE);
    const until = performance.now() + 2000;
    while (performance.now() < until) {
      if (watch.rollouts.slice(from).some((r) => r.name === PROBE)) return;
      await sleep(20);
    }
    if (performance.now() > deadline) throw new Error(`${peer.tool} never rolled the probe:\n${peer.output().slice(-3000)}`);
  }
}

async function rolloutOf(watch: RolloutWatch, from: number, name: string, peer: Peer): Promise<number> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const r = watch.rollouts.slice(from).find((x) => x.name === name);
    if (r) return r.at;
    if (peer.exited) throw new Error(`${peer.tool} exited:\n${peer.output().slice(-3000)}`);
    if (performance.now() > deadline) throw new Error(`no rollout of ${name} within 60 s`);
    await sleep(2);
  }
}

interface Round {
  p50: number;
  p99: number;
  requestsPerChange: number;
  cpuMsPerChange: number;
}

async function round(peer: Peer, ns: string, watch: RolloutWatch, next: ReturnType<typeof changes>, spacingMs: number): Promise<Round> {
  const latencies: number[] = [];
  const req0 = await peer.apiRequests();
  const cpu0 = cpuMs(peer.pid);
  for (let c = 0; c < CHANGES; c++) {
    const { deployment, configMap } = next();
    const from = watch.rollouts.length;
    const sent = performance.now();
    await change(ns, configMap);
    latencies.push((await rolloutOf(watch, from, deployment, peer)) - sent);
    const wait = sent + spacingMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  // let the last change's follow-up requests (events, status) land before counting
  await sleep(1000);
  const requests = (await peer.apiRequests()) - req0;
  const cpu = cpuMs(peer.pid) - cpu0;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), requestsPerChange: requests / CHANGES, cpuMsPerChange: cpu / CHANGES };
}

const summary = (rounds: Round[]) => ({
  p50Ms: Number(median(rounds.map((r) => r.p50)).toFixed(1)),
  p99Ms: Number(median(rounds.map((r) => r.p99)).toFixed(1)),
  rounds: rounds.map((r) => `${r.p50.toFixed(1)}/${r.p99.toFixed(1)}`),
});

async function measure(tool: ToolName, mode: Mode, ns: string, watch: RolloutWatch, d: number, m: number) {
  const t0 = performance.now();
  const peer = await start(tool, ns, mode, []);
  try {
    await ready(peer, ns, watch);
    const syncMs = Math.round(performance.now() - t0);
    await sleep(SETTLE_MS);
    const afterSync = rss(peer.pid);
    log(`${tool} ${mode}: ready in ${syncMs} ms, RSS ${afterSync.rssMB} MiB`);
    const next = changes(42, d, m);
    const spaced: Round[] = [];
    let after50 = afterSync;
    for (let r = 0; r < ROUNDS; r++) {
      spaced.push(await round(peer, ns, watch, next, SPACING_MS));
      if (r === 0) {
        await sleep(SETTLE_MS);
        after50 = rss(peer.pid);
      }
      log(`${tool} ${mode}: spaced round ${r + 1}: ${JSON.stringify(spaced.at(-1))}`);
    }
    const b2b: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      b2b.push(await round(peer, ns, watch, next, 0));
      log(`${tool} ${mode}: back-to-back round ${r + 1}: ${JSON.stringify(b2b.at(-1))}`);
    }
    const end = rss(peer.pid);
    return {
      tool,
      mode,
      syncMs,
      rssAfterSyncMB: afterSync.rssMB,
      rssAfter50ChangesMB: after50.rssMB,
      rssEndMB: end.rssMB,
      peakRssMB: end.hwmMB,
      spaced: summary(spaced),
      backToBack: summary(b2b),
      apiRequestsPerChange: Number(median(spaced.map((r) => r.requestsPerChange)).toFixed(2)),
      cpuMsPerChange: Number(median(spaced.map((r) => r.cpuMsPerChange)).toFixed(1)),
    };
  } finally {
    await peer.stop();
  }
}

/** Starts the tool, waits until it handles updates and has gone quiet; returns the rollouts since it started (probe excluded). */
async function startAndCount(tool: ToolName, mode: Mode, ns: string, watch: RolloutWatch, args: string[], windowMs: number) {
  // the window opens when the tool starts (startReloader may first wait for another run's Reloader)
  const peer = await start(tool, ns, mode, args);
  const from = watch.rollouts.length;
  const t0 = performance.now();
  try {
    await ready(peer, ns, watch, windowMs);
  } catch (err) {
    if (peer.exited) throw err;
    // still busy (a mass rollout queues the probe behind it): count what the window saw
  }
  const completed = await watch.quiet(5000, Math.max(0, windowMs - (performance.now() - t0)));
  const rolled = watch.since(from, [PROBE]);
  return { peer, rolled, completed, seconds: Math.round((performance.now() - t0) / 1000) };
}

const tally = (rolled: { name: string }[]) => ({ templateChanges: rolled.length, workloads: new Set(rolled.map((r) => r.name)).size });

async function restarts(tool: ToolName, ns: string, watch: RolloutWatch, d: number, m: number) {
  const mode: Mode = 'in';
  // settle with the default flags (for ksec right after Reloader: the take-over)
  const first = await startAndCount(tool, mode, ns, watch, [], MASS_WINDOW_MS);
  await first.peer.stop();
  // a change while stopped, then a restart with the same (default) flags
  const target = { deployment: `d-${d - 1}`, configMap: `cm-${(d - 1) * m}` };
  await change(ns, target.configMap);
  const again = await startAndCount(tool, mode, ns, watch, [], MASS_WINDOW_MS);
  await again.peer.stop();
  const missed = again.rolled.filter((r) => r.name === target.deployment).length;
  const others = again.rolled.filter((r) => r.name !== target.deployment);
  log(`${tool}: first start ${JSON.stringify(tally(first.rolled))}, change while stopped rolled ${missed}x, restart: ${JSON.stringify(tally(others))}`);
  const mass = await startAndCount(tool, mode, ns, watch, ROC_SAR, MASS_WINDOW_MS);
  await mass.peer.stop();
  log(`${tool}: restart with ${ROC_SAR.join(' ')}: ${JSON.stringify(tally(mass.rolled))} in ${mass.seconds} s${mass.completed ? '' : ' (window ended, still rolling)'}`);
  return {
    tool,
    firstStart: tally(first.rolled),
    changeWhileStoppedRolled: missed,
    restart: tally(others),
    restartReloadOnCreateSyncAfterRestart: { ...tally(mass.rolled), seconds: mass.seconds, completed: mass.completed },
  };
}

/** Reloader's flag combinations that bear on what a start does. */
const COMBINATIONS: string[][] = ['env-vars', 'annotations'].flatMap((s) => [
  [`--reload-strategy=${s}`],
  [`--reload-strategy=${s}`, ...ROC_SAR],
  [`--reload-strategy=${s}`, '--reload-on-create=true', '--reload-on-delete=true', '--sync-after-restart=true', '--auto-reload-all=true'],
]);

/**
 * The switch from Reloader, per flag combination, each in a fresh namespace of TAKEOVER_SIZE
 * (ksec has never seen its workloads): Reloader runs with the flags and handles 5 changes (some
 * workloads stamped, most not); ksec starts with the same flags (take-over), handles 5 changes,
 * and restarts (restart). Rollouts at each start, the probe excluded.
 */
async function takeovers() {
  const [d, m] = TAKEOVER_SIZE;
  const rows = [];
  for (const flags of COMBINATIONS) {
    const ns = await setup(d, m);
    const watch = new RolloutWatch(bed, ns);
    watch.start();
    try {
      const next = changes(7, d, m);
      const five = async (peer: Peer) => {
        for (let i = 0; i < 5; i++) {
          const c = next();
          const from = watch.rollouts.length;
          await change(ns, c.configMap);
          await rolloutOf(watch, from, c.deployment, peer);
        }
      };
      const r = await startAndCount('reloader', 'in', ns, watch, flags, MASS_WINDOW_MS);
      await five(r.peer);
      await watch.quiet(3000, MASS_WINDOW_MS);
      await r.peer.stop();
      const takeover = await startAndCount('ksec', 'in', ns, watch, flags, MASS_WINDOW_MS);
      await five(takeover.peer);
      await takeover.peer.stop();
      const restart = await startAndCount('ksec', 'in', ns, watch, flags, MASS_WINDOW_MS);
      await restart.peer.stop();
      const row = { flags: flags.join(' '), reloaderStart: tally(r.rolled), ksecTakeover: tally(takeover.rolled), ksecRestart: tally(restart.rolled) };
      log(`take-over ${JSON.stringify(row)}`);
      rows.push(row);
    } finally {
      watch.stop();
      await k.deleteNamespace(ns);
    }
  }
  return rows;
}

async function setup(d: number, m: number): Promise<string> {
  const ns = await k.namespace('bench-sbs');
  log(`namespace ${ns}: creating ${d * m} ConfigMaps of 8 KiB and ${d} Deployments`);
  const t0 = performance.now();
  await createProbe(bed, ns);
  await pool(Array.from({ length: d * m }, (_, i) => i), 16, (i) => k.configMap(ns, `cm-${i}`, { payload, v: '0' }));
  await pool(Array.from({ length: d }, (_, i) => i), 16, (i) =>
    k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: `d-${i}`, annotations: { 'reloader.stakater.com/auto': 'true' } },
      spec: {
        selector: { matchLabels: { app: `d-${i}` } },
        replicas: 0,
        template: {
          metadata: { labels: { app: `d-${i}` } },
          spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: Array.from({ length: m }, (_, j) => ({ configMapRef: { name: `cm-${i * m + j}` } })) }] },
        },
      },
    }),
  );
  log(`created in ${Math.round(performance.now() - t0)} ms`);
  return ns;
}

async function main() {
  const results = [];
  for (const [d, m] of SIZES) {
    const ns = await setup(d, m);
    const watch = new RolloutWatch(bed, ns);
    watch.start();
    try {
      const runs = [];
      for (const tool of TOOLS) for (const mode of MODES) runs.push(await measure(tool, mode, ns, watch, d, m));
      const restartRows = [];
      if (RESTARTS) for (const tool of TOOLS) restartRows.push(await restarts(tool, ns, watch, d, m));
      results.push({ deployments: d, configMaps: d * m, configMapBytes: 8 * 1024, changesPerRound: CHANGES, rounds: ROUNDS, spacingMs: SPACING_MS, runs, restarts: restartRows });
    } finally {
      watch.stop();
      await k.deleteNamespace(ns);
    }
  }
  const takeoverRows = TAKEOVER ? { size: TAKEOVER_SIZE.join('x'), rows: await takeovers() } : undefined;
  console.log(JSON.stringify({ node: process.version, ksecInClusterEnv: chartRuntimeEnv(), ksecArgs: KSEC_ARGS, results, takeovers: takeoverRows }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
