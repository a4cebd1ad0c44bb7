/**
 * `ksec watch`: flags -> validated WatchOptions (bad input exits 2 before anything connects)
 * -> Kubernetes client, watcher, /healthz /readyz /metrics server; JSON logs on stderr;
 * SIGTERM/SIGINT stop it (exit 0).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ExitCode, KsecError } from '../errors.js';
import { loadKubeClient } from '../kube/config.js';
import { clusterConnection, type ClusterFlags } from './shared-flags.js';
import { writeStderr } from '../terminal/output.js';
import { createLogger, type Level } from '../watch/log.js';
import { Watcher, type WatchOptions } from '../watch/controller.js';
import { parseDuration } from '../watch/duration.js';
import { DEFAULT_KEYS, type AnnotationKeys } from '../watch/policy.js';
import { csvFields, flagBool, reloaderLogLevel, reloaderSelector } from '../watch/reloader-flags.js';
import { startServer } from '../watch/server.js';
import { parseProxyUrl } from '../watch/proxy-post.js';

/** The flags as commander gives them: the selection flags as the watcher takes them, the rest as strings to parse. */
export interface WatchCliOptions
  extends Pick<WatchOptions, 'namespaces' | 'namespacesToIgnore' | 'resourcesToIgnore' | 'ignoredWorkloadTypes'>,
    ClusterFlags {
  /** Reloader's string slices: comma lists, repeatable, legacy k:v forms (reloaderSelector) */
  namespaceSelector?: string[];
  resourceLabelSelector?: string[];
  /** pflag-style booleans: true when given bare, else the text after `=` */
  autoReloadAll?: boolean | string;
  reloadStrategy: string;
  debounce: string;
  minInterval: string;
  patchQps: string;
  patchBurst: string;
  dryRun?: boolean;
  events: boolean;
  leaderElect?: boolean;
  enableHa?: boolean | string;
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
  // Reloader's flags (v1.4.14's util.ConfigureReloaderFlags); absent in older callers
  logFormat?: string;
  reloadOnCreate?: boolean | string;
  reloadOnDelete?: boolean | string;
  isArgoRollouts?: boolean | string;
  webhookUrl?: string;
  syncAfterRestart?: boolean | string;
  enablePprof?: boolean | string;
  pprofAddr?: string;
  enableCsiIntegration?: boolean | string;
  configmapAnnotation?: string;
  secretAnnotation?: string;
  autoAnnotation?: string;
  configmapAutoAnnotation?: string;
  secretAutoAnnotation?: string;
  autoSearchAnnotation?: string;
  searchMatchAnnotation?: string;
  pauseDeploymentAnnotation?: string;
  pauseDeploymentTimeAnnotation?: string;
}

/** A Reloader flag ksec accepts but treats differently: logged once at start (never a value that could be secret). */
export interface FlagNote {
  flag: string;
  msg: string;
}

function bool(flag: string, value: boolean | string | undefined, fallback = false): boolean {
  const b = flagBool(value, fallback);
  if (b === undefined) throw new KsecError(`--${flag}: ${JSON.stringify(value)} is not a boolean`, { hint: 'true or false (also 1, 0, t, f, TRUE, False, ...)' });
  return b;
}

/** Every occurrence of a string-slice flag, split as pflag splits it. */
function csv(flag: string, values: string[] = []): string[] {
  try {
    return values.flatMap(csvFields);
  } catch (err) {
    throw new KsecError(`--${flag}: cannot read ${JSON.stringify(values.join(' '))}: ${(err as Error).message}`);
  }
}

/** Reloader's string flags --reload-on-create/--reload-on-delete/--is-Argo-Rollouts: only "true" enables (the controller compares == "true"). */
const exactlyTrue = (v: boolean | string | undefined) => v === true || v === 'true';

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

/**
 * Validates every flag before anything connects; bad input exits 2. `env` is read for
 * KUBERNETES_NAMESPACE (Reloader's single-namespace mode). Reloader flags that ksec accepts
 * but honours differently come back as `notes`, for the caller to log once.
 */
export function watchOptions(
  o: WatchCliOptions,
  env: NodeJS.ProcessEnv = process.env,
): WatchOptions & { metricsAddress: string; logLevel: Level; notes: FlagNote[] } {
  const notes: FlagNote[] = [];
  const strategy = oneOf('reload-strategy', o.reloadStrategy, ['annotations', 'env-vars']) as WatchOptions['strategy'];
  const resources = o.resourcesToIgnore.map((r) => r.toLowerCase());
  for (const r of resources) oneOf('resources-to-ignore', r, ['configmaps', 'secrets']);
  if (resources.length === 2) throw new KsecError('--resources-to-ignore: ignoring both configmaps and secrets leaves nothing to watch');
  const workloads = o.ignoredWorkloadTypes.map((r) => r.toLowerCase());
  for (const w of workloads) oneOf('ignored-workload-types', w, ['deployments', 'statefulsets', 'daemonsets', 'cronjobs', 'rollouts', 'jobs']);
  if (o.isArgoRollouts !== undefined && !exactlyTrue(o.isArgoRollouts) && !workloads.includes('rollouts')) {
    workloads.push('rollouts');
    notes.push({ flag: 'is-Argo-Rollouts', msg: 'Argo Rollouts support is off (--is-Argo-Rollouts is not "true"): rollouts are not watched' });
  }
  let namespaces = o.namespaces;
  let namespaceSelector = reloaderSelector(csv('namespace-selector', o.namespaceSelector));
  const single = env.KUBERNETES_NAMESPACE;
  if (single) {
    if (namespaces.length === 0) {
      namespaces = [single];
      notes.push({ flag: 'KUBERNETES_NAMESPACE', msg: `KUBERNETES_NAMESPACE is set: watching only namespace ${single}, as Reloader does` });
      if (namespaceSelector) {
        notes.push({ flag: 'namespace-selector', msg: 'ignored in single-namespace mode (KUBERNETES_NAMESPACE), as Reloader does' });
        namespaceSelector = undefined;
      }
    } else {
      notes.push({ flag: 'KUBERNETES_NAMESPACE', msg: 'KUBERNETES_NAMESPACE is ignored: --namespaces is given' });
    }
  }
  let dryRun = Boolean(o.dryRun);
  if (o.webhookUrl) {
    dryRun = true;
    notes.push({ flag: 'webhook-url', msg: 'webhook-url is set: config changes are sent there and nothing is reloaded, as in Reloader' });
  }
  if (bool('sync-after-restart', o.syncAfterRestart)) {
    notes.push({ flag: 'sync-after-restart', msg: 'moot in ksec: state is kept on the workloads, so a restart rolls exactly the changes made while stopped and nothing else' });
  }
  if (bool('enable-pprof', o.enablePprof) || (o.pprofAddr !== undefined && o.pprofAddr !== ':6060')) {
    notes.push({ flag: 'enable-pprof', msg: "moot in ksec: Go's pprof does not exist in Node; use node --cpu-prof / --heap-prof instead" });
  }
  // Reloader's alerting (environment, not flags): ALERT_ON_RELOAD=true, ALERT_WEBHOOK_URL, ALERT_SINK, ALERT_ADDITIONAL_INFO
  let alert: { url: string; sink: string; additionalInfo?: string; proxy?: URL } | undefined;
  if (env.ALERT_ON_RELOAD === 'true') {
    const url = env.ALERT_WEBHOOK_URL?.trim();
    if (env.ALERT_WEBHOOK_URL === undefined || !url) {
      notes.push({ flag: 'ALERT_ON_RELOAD', msg: 'ALERT_WEBHOOK_URL env variable not provided; no alerts are sent' });
    } else {
      alert = { url, sink: (env.ALERT_SINK ?? '').trim().toLowerCase() };
      if (env.ALERT_ADDITIONAL_INFO !== undefined) alert.additionalInfo = env.ALERT_ADDITIONAL_INFO.trim();
      const proxy = env.ALERT_WEBHOOK_PROXY?.trim();
      if (proxy) {
        // Reloader: gorequest .Proxy(ALERT_WEBHOOK_PROXY); an empty value means no proxy
        const parsed = parseProxyUrl(proxy);
        if (!parsed) throw new KsecError('ALERT_WEBHOOK_PROXY is not an http:// or https:// proxy URL', { hint: 'e.g. http://proxy.example:3128 (user:password@ allowed)' });
        alert.proxy = parsed;
      }
    }
  }
  const logFormat = o.logFormat ?? '';
  if (logFormat !== '' && logFormat !== 'json') {
    notes.push({ flag: 'log-format', msg: `unsupported logging formatter ${JSON.stringify(logFormat)} (Reloader warns too); logging JSON lines` });
  }
  let logLevel = reloaderLogLevel(o.logLevel);
  if (logLevel === undefined) {
    notes.push({ flag: 'log-level', msg: `not a log level: ${JSON.stringify(o.logLevel)} (Reloader warns too); logging at info` });
    logLevel = 'info';
  }
  const keys: AnnotationKeys = {
    ...DEFAULT_KEYS,
    configmapReload: o.configmapAnnotation ?? DEFAULT_KEYS.configmapReload,
    secretReload: o.secretAnnotation ?? DEFAULT_KEYS.secretReload,
    auto: o.autoAnnotation ?? DEFAULT_KEYS.auto,
    configmapAuto: o.configmapAutoAnnotation ?? DEFAULT_KEYS.configmapAuto,
    secretAuto: o.secretAutoAnnotation ?? DEFAULT_KEYS.secretAuto,
    search: o.autoSearchAnnotation ?? DEFAULT_KEYS.search,
    match: o.searchMatchAnnotation ?? DEFAULT_KEYS.match,
    pausePeriod: o.pauseDeploymentAnnotation ?? DEFAULT_KEYS.pausePeriod,
    pausedAt: o.pauseDeploymentTimeAnnotation ?? DEFAULT_KEYS.pausedAt,
  };
  const watchTimeout = Math.max(2, Math.round(duration('watch-timeout', o.watchTimeout) / 1000));
  const leaseDurationMs = duration('lease-duration', o.leaseDuration);
  const renewDeadlineMs = duration('renew-deadline', o.renewDeadline);
  const retryPeriodMs = duration('retry-period', o.retryPeriod);
  if (!(retryPeriodMs > 0 && retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new KsecError('lease timing must satisfy 0 < --retry-period < --renew-deadline < --lease-duration', { hint: 'defaults: 2s, 10s, 15s' });
  }
  return {
    namespaces,
    namespacesToIgnore: o.namespacesToIgnore,
    namespaceSelector,
    resourceLabelSelector: reloaderSelector(csv('resource-label-selector', o.resourceLabelSelector)),
    resourcesToIgnore: resources,
    ignoredWorkloadTypes: workloads,
    autoReloadAll: bool('auto-reload-all', o.autoReloadAll),
    reloadOnCreate: exactlyTrue(o.reloadOnCreate),
    reloadOnDelete: exactlyTrue(o.reloadOnDelete),
    keys,
    countByNamespace: env.METRICS_COUNT_BY_NAMESPACE === 'enabled',
    csi: bool('enable-csi-integration', o.enableCsiIntegration),
    ...(o.webhookUrl ? { webhookUrl: o.webhookUrl } : {}),
    ...(alert ? { alert } : {}),
    strategy,
    debounceMs: duration('debounce', o.debounce),
    minIntervalMs: duration('min-interval', o.minInterval),
    qps: positive('patch-qps', o.patchQps),
    burst: Math.max(1, Math.floor(positive('patch-burst', o.patchBurst))),
    dryRun,
    events: o.events,
    leaderElect: Boolean(o.leaderElect) || bool('enable-ha', o.enableHa),
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
    logLevel,
    notes,
  };
}

export async function runWatch(cli: WatchCliOptions): Promise<void> {
  const options = watchOptions(cli);
  const log = createLogger(options.logLevel, writeStderr);
  for (const n of options.notes) log.warn(n.msg, { flag: n.flag });
  const client = await loadKubeClient({ ...clusterConnection(cli), userAgent: 'ksec-watch' });
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
