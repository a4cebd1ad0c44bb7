/**
 * The watcher's wiring: reflectors feed compact records into the config
 * caches and the workload index; a config change schedules the workloads
 * that use it with the rollout executor, which re-evaluates each one at fire
 * time against the cluster-recorded state and patches only when the desired
 * hash differs. A full pass runs when the caches first sync and on every
 * leadership gain, so changes made while nobody watched are caught and
 * nothing else is touched: first meetings only record a baseline.
 */
import type { KubeClient } from '../kube/client.js';
import type { Logger } from './log.js';
import { Reflector, type ChangeEvent, type RawObject, type ReflectorOptions } from './reflector.js';
import { LeaderElector } from './leader.js';
import { CollectedGauge, WatchMetrics } from './metrics.js';
import { decide, DEFAULT_KEYS, isManaged, triggersOf, type AnnotationKeys, type ConfigKind, type ConfigRecord, type Decision, type Strategy, type WorkloadRecord } from './policy.js';
import { patchWorkload, type PatchWorkload } from './patches.js';
import { PauseResumer } from './pause.js';
import { BaselineQueue } from './baseline-queue.js';
import { RolloutExecutor } from './rollout-executor.js';
import { EventRecorder } from './events.js';
import { WorkloadIndex } from './workload-index.js';
import { CONFIG_TYPES, NAMESPACE_TYPE, WORKLOAD_TYPES, collectionPath, isServed, mayListWatch, type ResourceType } from './resources.js';
import { configRecord, NamespaceConfigs, workloadRecord } from './state.js';
import { sleep } from './backoff.js';
import { WebhookNotifier } from './webhook.js';
import { isPodStatusUpdate, podStatusRecord, SPC_TYPE, SPCPS_TYPE, spcRecord, SpcTracker, type PodStatusRecord, type SpcRecord } from './csi.js';
import { ReloadAlerter } from './alerts.js';
import { recreateJob, runCronJobNow } from './jobs.js';

export interface WatchOptions {
  /** watch only these namespaces (empty: all) */
  namespaces: string[];
  namespacesToIgnore: string[];
  namespaceSelector?: string;
  resourceLabelSelector?: string;
  /** 'configmaps' and/or 'secrets' */
  resourcesToIgnore: string[];
  /** plural workload types not to roll: deployments, statefulsets, daemonsets, cronjobs, rollouts */
  ignoredWorkloadTypes: string[];
  autoReloadAll: boolean;
  strategy: Strategy;
  debounceMs: number;
  minIntervalMs: number;
  qps: number;
  burst: number;
  dryRun: boolean;
  events: boolean;
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace?: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  inactivityMs: number;
  watchTimeoutSeconds: [number, number];
  /** how often to check whether the Argo Rollouts API appeared when it was absent at start (0: never) */
  rolloutsDiscoveryMs?: number;
  /**
   * Reloader's --reload-on-create (default off): a ConfigMap/Secret created after the caches
   * synced rolls the workloads it triggers; off, they only record the new state.
   */
  reloadOnCreate?: boolean;
  /**
   * Reloader's --reload-on-delete (default off): a deleted ConfigMap/Secret rolls the workloads
   * it triggered; off, they only record the new state (and roll when it comes back changed).
   */
  reloadOnDelete?: boolean;
  /** the annotation keys in use (Reloader's override flags); default: Reloader's defaults */
  keys?: AnnotationKeys;
  /** also export reloader_reload_executed_total_by_namespace (Reloader: METRICS_COUNT_BY_NAMESPACE=enabled) */
  countByNamespace?: boolean;
  /**
   * Reloader's --webhook-url: config changes are announced there (webhook.ts) instead of
   * reloading; the caller also sets dryRun, so no workload is patched.
   */
  webhookUrl?: string;
  /**
   * Reloader's --enable-csi-integration: watch the Secrets Store CSI driver's
   * SecretProviderClassPodStatuses (and the classes' annotations) when their API is served (csi.ts)
   */
  csi?: boolean;
  /** Reloader's ALERT_ON_RELOAD=true: where and how to alert (alerts.ts) */
  alert?: { url: string; sink: string; additionalInfo?: string; proxy?: URL };
}

/** The reflector options every resource shares. */
type ReflectorCommon = Pick<ReflectorOptions<unknown>, 'client' | 'log' | 'inactivityMs' | 'timeoutSeconds' | 'onSynced'>;

/** `namespace/name` → [namespace, name]. */
function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

export class Watcher {
  readonly metrics: WatchMetrics;
  private readonly client: KubeClient;
  private readonly o: WatchOptions;
  private readonly log: Logger;
  private readonly reflectors: Reflector<unknown>[] = [];
  private readonly named: { resource: string; reflector: Reflector<unknown> }[] = [];
  private readonly configs = new Map<string, NamespaceConfigs>();
  private readonly workloads = new WorkloadIndex();
  /** the annotation problems last logged per workload, so each is logged once */
  private readonly warned = new Map<string, string>();
  private readonly rollouts: RolloutExecutor;
  private readonly baselines: BaselineQueue;
  private readonly pauses: PauseResumer;
  private readonly keys: AnnotationKeys;
  private readonly webhook: WebhookNotifier | undefined;
  private readonly alerts: ReloadAlerter | undefined;
  private allowedNamespaces: Set<string> | undefined;
  private leading: boolean;
  private synced = false;
  private workloadTypes: ResourceType[] = [];
  /** workload kinds whose reflectors started after the caches synced and have not listed yet */
  private readonly lateKinds = new Set<string>();
  private readonly spcs = new SpcTracker();
  /** CSI integration is on and its API is served and may be watched */
  private csi = false;

  constructor(client: KubeClient, options: WatchOptions, log: Logger) {
    this.metrics = new WatchMetrics(options.countByNamespace);
    this.client = client;
    this.o = options;
    this.log = log;
    this.leading = !options.leaderElect;
    this.metrics.leader.collect(() => (this.leading ? 1 : 0));
    this.metrics.apiRequests.collect(() => client.requestCount);
    const patch: PatchWorkload = (w, p) => patchWorkload(client, w, p);
    const isLeading = () => this.leading;
    this.baselines = new BaselineQueue({ patch, isLeading, dryRun: options.dryRun, log });
    this.keys = options.keys ?? DEFAULT_KEYS;
    this.webhook = options.webhookUrl ? new WebhookNotifier({ url: options.webhookUrl, log }) : undefined;
    this.alerts = options.alert ? new ReloadAlerter({ ...options.alert, log }) : undefined;
    this.pauses = new PauseResumer({ patch, isLeading, dryRun: options.dryRun, log, current: (key) => this.workloads.get(key), keys: this.keys });
    this.rollouts = new RolloutExecutor({
      strategy: options.strategy,
      dryRun: options.dryRun,
      debounceMs: options.debounceMs,
      minIntervalMs: options.minIntervalMs,
      qps: options.qps,
      burst: options.burst,
      decide: (key) => this.decision(key),
      isLeading,
      patch,
      baselines: this.baselines,
      events: new EventRecorder({ client, enabled: options.events, identity: options.identity, log }),
      metrics: this.metrics,
      log,
      keys: this.keys,
      ...(this.alerts ? { alerts: this.alerts } : {}),
      rollJob: (w, d) => (w.kind === 'Job' ? recreateJob(client, w, d, options.strategy) : runCronJobNow(client, w, d, options.strategy)),
    });
  }

  get ready(): boolean {
    return this.synced;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const ignoredConfigs = new Set(this.o.resourcesToIgnore.map((r) => r.toLowerCase()));
    const ignoredWorkloads = new Set(this.o.ignoredWorkloadTypes.map((r) => r.toLowerCase()));
    const configTypes = CONFIG_TYPES.filter((t) => !ignoredConfigs.has(t.plural));
    this.workloadTypes = [];
    let absentRollouts: ResourceType | undefined;
    for (const t of WORKLOAD_TYPES) {
      if (ignoredWorkloads.has(t.plural)) continue;
      if (t.kind === 'Rollout' && !(await isServed(this.client, t).catch(() => false))) {
        const every = this.o.rolloutsDiscoveryMs ?? 0;
        this.log.info('the Argo Rollouts API is not served (or discovery failed); not watching rollouts', every > 0 ? { recheckEverySeconds: every / 1000 } : {});
        if (every > 0) absentRollouts = t;
        continue;
      }
      // optional kinds: a service account without the RBAC for them (Reloader's chart with
      // ignoreJobs, an older ksec chart) leaves them out with a warning instead of never syncing
      if ((t.kind === 'Rollout' || t.kind === 'Job') && !(await this.mayWatch(t))) continue;
      this.workloadTypes.push(t);
    }
    this.csi = this.o.csi === true && (await this.csiAvailable());
    const scopes: (string | undefined)[] = this.o.namespaces.length ? this.o.namespaces : [undefined];
    const common: ReflectorCommon = {
      client: this.client,
      log: this.log,
      inactivityMs: this.o.inactivityMs,
      timeoutSeconds: this.o.watchTimeoutSeconds,
      onSynced: () => this.checkSynced(),
    };
    if (this.o.namespaceSelector) {
      this.allowedNamespaces = new Set();
      this.add(
        'namespaces',
        new Reflector<true>({
          ...common,
          path: collectionPath(NAMESPACE_TYPE),
          labelSelector: this.o.namespaceSelector,
          reduce: () => true,
          onChange: (e) => this.onNamespace(e),
          onRelist: () => this.metrics.relists.inc({ resource: 'namespaces' }),
          onEventReceived: (type) => this.metrics.events.inc({ resource: 'namespaces', type }),
        }) as Reflector<unknown>,
      );
    }
    for (const ns of scopes) {
      for (const t of configTypes) {
        const kind = t.kind as ConfigKind;
        this.add(
          t.plural,
          new Reflector<ConfigRecord>({
            ...common,
            path: collectionPath(t, ns),
            labelSelector: this.o.resourceLabelSelector,
            reduce: (obj) =>
              configRecord(
                kind,
                obj,
                this.o.strategy === 'env-vars',
                (message) => this.log.warn('cannot hash config; ignoring it', { kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name, error: message }),
                this.keys,
              ),
            onChange: (e) => this.onConfig(kind, e),
            onRelist: () => this.metrics.relists.inc({ resource: t.plural }),
            onEventReceived: (type) => this.metrics.events.inc({ resource: t.plural, type }),
          }) as Reflector<unknown>,
        );
      }
      for (const t of this.workloadTypes) this.add(t.plural, this.workloadReflector(t, ns, common));
      if (this.csi) this.addCsiReflectors(ns, common);
    }
    this.metrics.cached = new CollectedGauge('ksec_watch_cached_objects', 'Objects held in the caches (compact records), by resource.', () => {
      const counts = new Map<string, number>();
      for (const { resource, reflector } of this.named) counts.set(resource, (counts.get(resource) ?? 0) + reflector.size);
      return [...counts].map(([resource, n]) => [{ resource }, n]);
    });
    const loops: Promise<void>[] = this.reflectors.map((r) => r.run(signal));
    if (absentRollouts) loops.push(this.discoverLater(absentRollouts, scopes, common, signal));
    if (this.o.leaderElect) {
      const namespace = this.o.leaseNamespace ?? this.client.namespace ?? 'default';
      const elector = new LeaderElector({
        client: this.client,
        namespace,
        name: this.o.leaseName,
        identity: this.o.identity,
        leaseDurationMs: this.o.leaseDurationMs,
        renewDeadlineMs: this.o.renewDeadlineMs,
        retryPeriodMs: this.o.retryPeriodMs,
        log: this.log,
        onStartedLeading: () => {
          this.leading = true;
          this.rollouts.resume();
          if (this.synced) this.fullPass('became leader');
        },
        onStoppedLeading: () => {
          this.leading = false;
          this.rollouts.clear();
          this.pauses.cancelAll();
        },
      });
      loops.push(elector.run(signal));
    }
    await Promise.all(loops);
    await this.webhook?.idle();
    await this.alerts?.idle();
    this.rollouts.stop();
    this.pauses.cancelAll();
  }

  private workloadReflector(t: ResourceType, ns: string | undefined, common: ReflectorCommon, onSynced = common.onSynced): Reflector<unknown> {
    return new Reflector<WorkloadRecord>({
      ...common,
      onSynced,
      path: collectionPath(t, ns),
      reduce: (obj: RawObject) => workloadRecord(t.kind, obj, this.keys),
      onChange: (e) => this.onWorkload(t.kind, e),
      onRelist: () => this.metrics.relists.inc({ resource: t.plural }),
      onEventReceived: (type) => this.metrics.events.inc({ resource: t.plural, type }),
    }) as Reflector<unknown>;
  }

  /**
   * A CRD installed after the watcher started (Argo Rollouts): re-check discovery
   * periodically; once served, list and watch it like the other kinds. Its
   * workloads are evaluated when its first list completes, like a start: real
   * changes roll once, first meetings only record a baseline.
   */
  private async discoverLater(t: ResourceType, scopes: (string | undefined)[], common: ReflectorCommon, signal: AbortSignal): Promise<void> {
    const every = this.o.rolloutsDiscoveryMs ?? 0;
    while (!signal.aborted) {
      await sleep(every, signal);
      if (signal.aborted) return;
      if (!(await isServed(this.client, t).catch(() => false))) continue;
      if (!(await this.mayWatch(t))) return;
      this.log.info('the Argo Rollouts API is now served; watching rollouts');
      this.workloadTypes.push(t);
      this.lateKinds.add(t.kind);
      const late: Reflector<unknown>[] = [];
      const onSynced = () => {
        if (!late.every((r) => r.hasSynced) || !this.lateKinds.delete(t.kind)) return;
        if (!this.synced || !this.leading) return; // the first full pass (or the next leadership gain) covers them
        for (const [key, w] of this.workloads.entries()) {
          if (w.kind !== t.kind) continue;
          this.evaluateNow(key, `${t.plural} discovered`);
          this.armPause(key, w);
        }
      };
      for (const ns of scopes) late.push(this.workloadReflector(t, ns, common, onSynced));
      for (const r of late) this.add(t.plural, r);
      await Promise.all(late.map((r) => r.run(signal)));
      return;
    }
  }

  /**
   * Reloader runs its SecretProviderClassPodStatus controller only when the CSI API is served
   * (else: "CSI CRDs not installed", and it carries on without). ksec also leaves it out, with a
   * warning, when it may not list and watch the CSI resources.
   */
  private async csiAvailable(): Promise<boolean> {
    if (!(await isServed(this.client, SPCPS_TYPE).catch(() => false))) {
      this.log.info('the Secrets Store CSI API (secrets-store.csi.x-k8s.io/v1) is not served; not watching SecretProviderClassPodStatuses');
      return false;
    }
    for (const t of [SPCPS_TYPE, SPC_TYPE]) {
      const scopes: (string | undefined)[] = this.o.namespaces.length ? this.o.namespaces : [undefined];
      for (const ns of scopes) {
        if (await mayListWatch(this.client, t, ns).catch(() => true)) continue;
        this.log.warn(`not allowed to list and watch ${t.plural}; not watching SecretProviderClasses`, {
          namespace: ns,
          hint: `grant get/list/watch on ${t.plural}.${t.group} (chart: csiIntegration.enabled=true), or drop --enable-csi-integration`,
        });
        return false;
      }
    }
    return true;
  }

  /** The SecretProviderClasses' annotations and their pod statuses, reduced into the SPC records (csi.ts). */
  private addCsiReflectors(ns: string | undefined, common: ReflectorCommon): void {
    this.add(
      SPC_TYPE.plural,
      new Reflector<SpcRecord>({
        ...common,
        path: collectionPath(SPC_TYPE, ns),
        reduce: (obj) => spcRecord(obj, this.keys),
        onChange: (e) => {
          const [namespace, name] = splitKey(e.key);
          this.spcs.setAnnotations(namespace, name, e.current);
          if (e.previous?.ignore !== e.current?.ignore || e.previous?.match !== e.current?.match) this.onSpc(namespace, name, 'recorded');
        },
        onRelist: () => this.metrics.relists.inc({ resource: SPC_TYPE.plural }),
        onEventReceived: (type) => this.metrics.events.inc({ resource: SPC_TYPE.plural, type }),
      }) as Reflector<unknown>,
    );
    const statuses: Reflector<PodStatusRecord> = new Reflector<PodStatusRecord>({
      ...common,
      path: collectionPath(SPCPS_TYPE, ns),
      // Reloader filters its SecretProviderClassPodStatus informer with --resource-label-selector too
      labelSelector: this.o.resourceLabelSelector,
      reduce: podStatusRecord,
      onChange: (e) => this.onPodStatus(e, statuses.hasSynced),
      onRelist: () => this.metrics.relists.inc({ resource: SPCPS_TYPE.plural }),
      onEventReceived: (type) => this.metrics.events.inc({ resource: SPCPS_TYPE.plural, type }),
    });
    this.add(SPCPS_TYPE.plural, statuses as Reflector<unknown>);
  }

  /** A SecretProviderClassPodStatus event; `live`: after its reflector's first list. */
  private onPodStatus(e: ChangeEvent<PodStatusRecord>, live: boolean): void {
    const [namespace] = splitKey(e.key);
    // Reloader's --webhook-url: one POST per pod status update with a new hash, used or not
    if (this.webhook && live && this.synced && this.leading && this.nsAllowed(namespace) && isPodStatusUpdate(e.previous, e.current)) {
      this.webhook.notify(`SecretProviderClass/${e.current!.spc}`, namespace);
    }
    for (const { spc, change } of this.spcs.onPodStatus(namespace, e.key, e.previous, e.current, live)) this.onSpc(namespace, spc, change);
  }

  /**
   * An SPC's record changed: a rotation seen live rolls the workloads it triggers (as Reloader's
   * update handler); anything else (a class appearing with its first pod, or gone with its last,
   * an ignore/match toggle) is recorded without a roll, as Reloader ignores those.
   */
  private onSpc(ns: string, name: string, change: 'rotated' | 'recorded'): void {
    const store = this.nsConfigs(ns);
    const rec = this.spcs.record(ns, name);
    if (rec) store.set(rec);
    else store.delete('SecretProviderClass', name);
    if (!this.synced || !this.leading || !this.nsAllowed(ns)) return;
    const candidates = this.workloads.candidates(ns, 'SecretProviderClass', name);
    if (change === 'rotated' && rec) {
      const now = Date.now();
      for (const key of candidates) this.rollouts.schedule(key, `SecretProviderClass/${name}`, now);
      return;
    }
    for (const key of candidates) this.evaluateNow(key, `SecretProviderClass/${name} recorded`, true);
  }

  /** An optional kind the service account may not list/watch in every watched scope is left out, with a warning. */
  private async mayWatch(t: ResourceType): Promise<boolean> {
    const scopes: (string | undefined)[] = this.o.namespaces.length ? this.o.namespaces : [undefined];
    for (const ns of scopes) {
      if (await mayListWatch(this.client, t, ns).catch(() => true)) continue;
      this.log.warn(`not allowed to list and watch ${t.plural}; not watching them`, {
        namespace: ns,
        hint:
          t.kind === 'Job'
            ? 'grant get/list/watch/patch/create/delete on jobs.batch (the chart does unless watch.ignoredWorkloadTypes has jobs), or pass --ignored-workload-types jobs'
            : `grant get/list/watch/patch on ${t.plural}.${t.group} (chart: argoRollouts.enabled=true), or pass --ignored-workload-types ${t.plural}`,
      });
      return false;
    }
    return true;
  }

  private add(resource: string, reflector: Reflector<unknown>): void {
    this.reflectors.push(reflector);
    this.named.push({ resource, reflector });
  }

  private checkSynced(): void {
    if (this.synced || !this.reflectors.every((r) => r.hasSynced)) return;
    this.synced = true;
    this.log.info('caches synced', { workloads: this.workloads.size, configs: [...this.configs.values()].reduce((n, c) => n + c.size, 0) });
    if (this.leading) this.fullPass('caches synced');
  }

  /**
   * Resumes only Deployments in namespaces this watcher acts in: with --namespace-selector or
   * --namespaces-to-ignore it still sees the others, and must not resume what another watcher
   * (or Reloader) paused there.
   */
  private armPause(key: string, w: WorkloadRecord): void {
    if (this.nsAllowed(w.namespace)) this.pauses.arm(key, w);
    else this.pauses.cancel(key);
  }

  private nsAllowed(ns: string): boolean {
    if (this.o.namespacesToIgnore.includes(ns)) return false;
    return this.allowedNamespaces === undefined || this.allowedNamespaces.has(ns);
  }

  private onNamespace(e: ChangeEvent<true>): void {
    if (e.type === 'DELETED') this.allowedNamespaces?.delete(e.key);
    else if (e.type === 'ADDED') {
      this.allowedNamespaces?.add(e.key);
      // a namespace that starts matching the selector: meet its workloads (baseline, no mass roll)
      if (this.synced && this.leading) {
        for (const [key, w] of this.workloads.entries()) if (w.namespace === e.key) this.evaluateNow(key, 'namespace selected');
      }
    }
  }

  private nsConfigs(ns: string): NamespaceConfigs {
    let c = this.configs.get(ns);
    if (!c) this.configs.set(ns, (c = new NamespaceConfigs()));
    return c;
  }

  private onConfig(kind: ConfigKind, e: ChangeEvent<ConfigRecord>): void {
    const slash = e.key.indexOf('/');
    const ns = e.key.slice(0, slash);
    const name = e.key.slice(slash + 1);
    const store = this.nsConfigs(ns);
    if (e.current) store.set(e.current);
    else store.delete(kind, name);
    const before = e.previous;
    const after = e.current;
    if (before && after && before.hash === after.hash && before.ignore === after.ignore && before.match === after.match) return;
    if (!this.synced || !this.leading || !this.nsAllowed(ns)) return;
    if (this.webhook) {
      // Reloader: a content change, or a create/delete when those are on, whoever uses the config
      if ((before && after && before.hash !== after.hash) || (!before && after && this.o.reloadOnCreate) || (before && !after && this.o.reloadOnDelete)) {
        this.webhook.notify(`${kind}/${name}`, ns);
      }
    }
    const now = Date.now();
    const candidates = this.workloads.candidates(ns, kind, name);
    if (before && after && before.hash === after.hash) {
      // only reloader.stakater.com/ignore or match was toggled: the set of triggers changed, the
      // content did not; record the new state, roll nothing (Reloader rolls nothing either)
      for (const key of candidates) this.evaluateNow(key, `${kind}/${name} ignore/match toggled`, true);
      return;
    }
    if (!after) {
      // --reload-on-delete rolls; otherwise record the new state (new pods could not start
      // without it anyway) and roll when it comes back
      for (const key of candidates) {
        if (this.o.reloadOnDelete) this.rollouts.schedule(key, `${kind}/${name} deleted`, now);
        else this.evaluateNow(key, `${kind}/${name} deleted`, true);
      }
      return;
    }
    if (!before && !this.o.reloadOnCreate) {
      // created (Reloader's default: no reload on create): record the new state
      for (const key of candidates) this.evaluateNow(key, `${kind}/${name} created`, true);
      return;
    }
    for (const key of candidates) this.rollouts.schedule(key, `${kind}/${name}`, now);
  }

  private onWorkload(kind: string, e: ChangeEvent<WorkloadRecord>): void {
    const key = `${kind}/${e.key}`;
    this.workloads.update(key, e.previous, e.current);
    if (!e.current) {
      this.rollouts.forget(key);
      this.warned.delete(key);
      this.pauses.cancel(key);
      return;
    }
    this.rollouts.observe(key, e.current);
    if (!this.synced || !this.leading || this.lateKinds.has(kind)) return;
    const prev = e.previous;
    const cur = e.current;
    // the pod template or the annotations were edited: that edit rolls (or not) by itself;
    // record the new state instead of rolling a second time
    const edited =
      !prev || prev.refs.join() !== cur.refs.join() || JSON.stringify([prev.annotations, prev.podAnnotations]) !== JSON.stringify([cur.annotations, cur.podAnnotations]);
    this.evaluateNow(key, edited ? 'workload edited' : 'workload changed', edited);
    this.armPause(key, cur);
  }

  /** Evaluates every workload: baselines first meetings, schedules real changes, rolls nothing else. */
  private fullPass(reason: string): void {
    let rolls = 0;
    let baselines = 0;
    for (const [key, w] of this.workloads.entries()) {
      const d = this.evaluateNow(key, reason);
      if (d?.action === 'roll') rolls++;
      if (d?.action === 'baseline') baselines++;
      this.armPause(key, w);
    }
    this.log.info('full evaluation', { reason, workloads: this.workloads.size, toRoll: rolls, toBaseline: baselines });
  }

  private decision(key: string): { w: WorkloadRecord; d: Decision } | undefined {
    const w = this.workloads.get(key);
    const policy = { autoReloadAll: this.o.autoReloadAll, csi: this.csi };
    if (!w || !this.nsAllowed(w.namespace) || !isManaged(w, policy)) return undefined;
    const t = triggersOf(w, this.nsConfigs(w.namespace), policy);
    if (t.warnings.length) {
      const text = t.warnings.join('; ');
      if (this.warned.get(key) !== text) {
        this.warned.set(key, text);
        this.log.warn('bad reloader annotation; entry skipped', { workload: key, problems: t.warnings });
      }
    }
    return { w, d: decide(w, t.configs, this.o.strategy) };
  }

  /** Decides at once; baselines are written directly, rolls go through the scheduler. */
  private evaluateNow(key: string, reason: string, baselineOnly = false): Decision | undefined {
    const found = this.decision(key);
    if (!found) return undefined;
    const { w, d } = found;
    if (d.action === 'none') return d;
    // rolled to this hash already; the record predates the patch (its own event is on the way)
    if (d.action === 'roll' && this.rollouts.alreadyRolled(key, d.hash)) return { action: 'none', hash: d.hash };
    if (d.action === 'baseline' || baselineOnly) {
      this.baselines.enqueue(key, w, d.hash, reason);
      return { action: 'baseline', hash: d.hash };
    }
    this.rollouts.schedule(key);
    return d;
  }
}
