/**
 * `ksec watch`: flags -> validated WatchOptions (bad input exits 2 before anything connects)
 * -> Kubernetes client, watcher, /healthz /readyz /metrics server; JSON logs on stderr;
 * SIGTERM/SIGINT stop it (exit 0).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ExitCode, KsecError } from '../errors.js';
import { loadKubeClient } from '../kube/config.js';
import { writeStderr } from '../terminal/output.js';
import { createLogger, type Level } from '../watch/log.js';
import { Watcher, type WatchOptions } from '../watch/controller.js';
import { parseDuration } from '../watch/duration.js';
import { startServer } from '../watch/server.js';

/** The flags as commander gives them: the selection flags as the watcher takes them, the rest as strings to parse. */
export interface WatchCliOptions
  extends Pick<
    WatchOptions,
    'namespaces' | 'namespacesToIgnore' | 'namespaceSelector' | 'resourceLabelSelector' | 'resourcesToIgnore' | 'ignoredWorkloadTypes'
  > {
  kubeconfig?: string;
  context?: string;
  autoReloadAll?: boolean;
  reloadStrategy: string;
  debounce: string;
  minInterval: string;
  patchQps: string;
  patchBurst: string;
  dryRun?: boolean;
  events: boolean;
  leaderElect?: boolean;
  enableHa?: boolean;
  leaseName: string;
  leaseNamespace?: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  metricsAddress: string;
  watchTimeout: string;
  watchInactivityTimeout: string;
  rolloutsDiscoveryInterval: string;
  logLevel: string;
}

function duration(flag: string, value: string): number {
  const ms = value.trim() === '0' ? 0 : parseDuration(value);
  if (ms === undefined) throw new KsecError(`--${flag}: not a duration: ${JSON.stringify(value)}`, { hint: 'use e.g. 500ms, 5s, 2m, 1h30m' });
  return ms;
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new KsecError(`--${flag}: not a positive number: ${JSON.stringify(value)}`, { hint: 'e.g. 10' });
  return n;
}

function oneOf(flag: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) throw new KsecError(`--${flag}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value;
}

/** Validates every flag before anything connects; bad input exits 2. */
export function watchOptions(o: WatchCliOptions): WatchOptions & { metricsAddress: string; logLevel: Level } {
  const strategy = oneOf('reload-strategy', o.reloadStrategy, ['annotations', 'env-vars']) as WatchOptions['strategy'];
  const resources = o.resourcesToIgnore.map((r) => r.toLowerCase());
  for (const r of resources) oneOf('resources-to-ignore', r, ['configmaps', 'secrets']);
  if (resources.length === 2) throw new KsecError('--resources-to-ignore: ignoring both configmaps and secrets leaves nothing to watch');
  const workloads = o.ignoredWorkloadTypes.map((r) => r.toLowerCase());
  for (const w of workloads) oneOf('ignored-workload-types', w, ['deployments', 'statefulsets', 'daemonsets', 'cronjobs', 'rollouts', 'jobs']);
  const watchTimeout = Math.max(2, Math.round(duration('watch-timeout', o.watchTimeout) / 1000));
  const leaseDurationMs = duration('lease-duration', o.leaseDuration);
  const renewDeadlineMs = duration('renew-deadline', o.renewDeadline);
  const retryPeriodMs = duration('retry-period', o.retryPeriod);
  if (!(retryPeriodMs > 0 && retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new KsecError('lease timing must satisfy 0 < --retry-period < --renew-deadline < --lease-duration', { hint: 'defaults: 2s, 10s, 15s' });
  }
  return {
    namespaces: o.namespaces,
    namespacesToIgnore: o.namespacesToIgnore,
    namespaceSelector: o.namespaceSelector,
    resourceLabelSelector: o.resourceLabelSelector,
    resourcesToIgnore: resources,
    ignoredWorkloadTypes: workloads,
    autoReloadAll: Boolean(o.autoReloadAll),
    strategy,
    debounceMs: duration('debounce', o.debounce),
    minIntervalMs: duration('min-interval', o.minInterval),
    qps: positive('patch-qps', o.patchQps),
    burst: Math.max(1, Math.floor(positive('patch-burst', o.patchBurst))),
    dryRun: Boolean(o.dryRun),
    events: o.events,
    leaderElect: Boolean(o.leaderElect || o.enableHa),
    leaseName: o.leaseName,
    leaseNamespace: o.leaseNamespace ?? process.env.POD_NAMESPACE,
    identity: process.env.POD_NAME || `${hostname()}_${randomBytes(4).toString('hex')}`,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    inactivityMs: duration('watch-inactivity-timeout', o.watchInactivityTimeout),
    watchTimeoutSeconds: [Math.ceil(watchTimeout / 2), watchTimeout],
    rolloutsDiscoveryMs: duration('rollouts-discovery-interval', o.rolloutsDiscoveryInterval),
    metricsAddress: o.metricsAddress,
    logLevel: oneOf('log-level', o.logLevel, ['debug', 'info', 'warn', 'error']) as Level,
  };
}

export async function runWatch(cli: WatchCliOptions): Promise<void> {
  const options = watchOptions(cli);
  const log = createLogger(options.logLevel, writeStderr);
  const client = await loadKubeClient({ kubeconfig: cli.kubeconfig, context: cli.context, userAgent: 'ksec-watch' });
  const watcher = new Watcher(client, options, log);
  const controller = new AbortController();
  const stop = (signal: string) => {
    if (controller.signal.aborted) return;
    log.info('stopping', { signal });
    controller.abort();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  if (options.metricsAddress !== 'off') {
    try {
      server = await startServer({ address: options.metricsAddress, metrics: watcher.metrics, healthy: () => true, ready: () => watcher.ready });
    } catch (err) {
      throw new KsecError(`cannot serve metrics on ${options.metricsAddress}: ${(err as Error).message}`, {
        hint: 'pick another --metrics-address, or "off"',
        exitCode: ExitCode.environment,
      });
    }
  }
  log.info('starting', {
    server: client.server,
    port: server?.port,
    strategy: options.strategy,
    namespaces: options.namespaces.length ? options.namespaces : ['*'],
    leaderElect: options.leaderElect,
    identity: options.identity,
    dryRun: options.dryRun,
  });
  await watcher.run(controller.signal);
  await server?.close();
  log.info('stopped');
}
