/**
 * The watcher: reflectors feed compact records into indexes; a config change
 * schedules the workloads that use it; the scheduler re-evaluates each one at
 * fire time against the cluster-recorded state and patches only when the
 * desired hash differs. A full pass runs when the caches first sync and on
 * every leadership gain, so changes made while nobody watched are caught and
 * nothing else is touched.
 */
import type { KubeClient, KubeResponse } from '../kube/client.js';
import { statusMessage } from '../kube/errors.js';
import type { Logger } from './log.js';
import { Reflector, type ChangeEvent, type RawObject, type ReflectorOptions } from './reflector.js';
import { LeaderElector } from './leader.js';
import { CollectedGauge, WatchMetrics } from './metrics.js';
import {
  decide,
  isManaged,
  triggersOf,
  type ConfigKind,
  type ConfigRecord,
  type Decision,
  type Strategy,
  type WorkloadRecord,
} from './policy.js';
import { baselinePatch, resumeAt, resumePatch, rollPatch, Scheduler, type Patch, type RunResult } from './rollout.js';
import { CONFIG_TYPES, NAMESPACE_TYPE, WORKLOAD_TYPES, collectionPath, isServed, mayListWatch, objectPath, type ResourceType } from './resources.js';
import { configRecord, NamespaceConfigs, workloadRecord } from './state.js';
import { backoffDelay, sleep } from './backoff.js';

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
}

interface Pending {
  since: number;
  changed: Set<string>;
  attempt: number;
}

/** The reflector options every resource shares. */
type ReflectorCommon = Pick<ReflectorOptions<unknown>, 'client' | 'log' | 'inactivityMs' | 'timeoutSeconds' | 'onSynced'>;

const BASELINE_CONCURRENCY = 8;
const MAX_ATTEMPTS = 8;

export class Watcher {
  readonly metrics = new WatchMetrics();
  private readonly client: KubeClient;
  private readonly o: WatchOptions;
  private readonly log: Logger;
  private readonly reflectors: Reflector<unknown>[] = [];
  private readonly named: { resource: string; reflector: Reflector<unknown> }[] = [];
  private readonly configs = new Map<string, NamespaceConfigs>();
  private readonly workloads = new Map<string, WorkloadRecord>();
  private readonly refIndex = new Map<string, Set<string>>();
  private readonly explicit = new Map<string, Set<string>>();
  private readonly pending = new Map<string, Pending>();
  private readonly warned = new Map<string, string>();
  private readonly resumeTimers = new Map<string, NodeJS.Timeout>();
  private readonly scheduler: Scheduler;
  private allowedNamespaces: Set<string> | undefined;
  private leading: boolean;
  private synced = false;
  private workloadTypes: ResourceType[] = [];
  /** workload kinds whose reflectors started after the caches synced and have not listed yet */
  private readonly lateKinds = new Set<string>();
  private baselineQueue: Array<() => Promise<void>> = [];
  private baselineRunning = 0;

  constructor(client: KubeClient, options: WatchOptions, log: Logger) {
    this.client = client;
    this.o = options;
    this.log = log;
    this.leading = !options.leaderElect;
    this.metrics.leader.collect(() => (this.leading ? 1 : 0));
    this.metrics.apiRequests.collect(() => client.requestCount);
    this.scheduler = new Scheduler({
      debounceMs: options.debounceMs,
      minIntervalMs: options.minIntervalMs,
      qps: options.qps,
      burst: options.burst,
      run: (key) => this.execute(key),
      onQueueDepth: (n) => this.metrics.queueDepth.set(n),
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
      if (t.kind === 'Rollout' && !(await this.mayWatch(t))) continue;
      this.workloadTypes.push(t);
    }
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
              configRecord(kind, obj, this.o.strategy === 'env-vars', (message) =>
                this.log.warn('cannot hash config; ignoring it', { kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name, error: message }),
              ),
            onChange: (e) => this.onConfig(kind, e),
            onRelist: () => this.metrics.relists.inc({ resource: t.plural }),
            onEventReceived: (type) => this.metrics.events.inc({ resource: t.plural, type }),
          }) as Reflector<unknown>,
        );
      }
      for (const t of this.workloadTypes) this.add(t.plural, this.workloadReflector(t, ns, common));
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
          this.scheduler.resume();
          if (this.synced) this.fullPass('became leader');
        },
        onStoppedLeading: () => {
          this.leading = false;
          this.scheduler.clear();
          this.pending.clear();
          for (const t of this.resumeTimers.values()) clearTimeout(t);
          this.resumeTimers.clear();
        },
      });
      loops.push(elector.run(signal));
    }
    await Promise.all(loops);
    this.scheduler.stop();
    for (const t of this.resumeTimers.values()) clearTimeout(t);
  }

  private workloadReflector(t: ResourceType, ns: string | undefined, common: ReflectorCommon, onSynced = common.onSynced): Reflector<unknown> {
    return new Reflector<WorkloadRecord>({
      ...common,
      onSynced,
      path: collectionPath(t, ns),
      reduce: (obj: RawObject) => workloadRecord(t.kind, obj),
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
        for (const [key, w] of this.workloads) {
          if (w.kind !== t.kind) continue;
          this.evaluateNow(key, `${t.plural} discovered`);
          this.armResume(key, w);
        }
      };
      for (const ns of scopes) late.push(this.workloadReflector(t, ns, common, onSynced));
      for (const r of late) this.add(t.plural, r);
      await Promise.all(late.map((r) => r.run(signal)));
      return;
    }
  }

  /** An optional kind the service account may not list/watch in every watched scope is left out, with a warning. */
  private async mayWatch(t: ResourceType): Promise<boolean> {
    const scopes: (string | undefined)[] = this.o.namespaces.length ? this.o.namespaces : [undefined];
    for (const ns of scopes) {
      if (await mayListWatch(this.client, t, ns).catch(() => true)) continue;
      this.log.warn(`not allowed to list and watch ${t.plural}; not watching them`, {
        namespace: ns,
        hint: `grant get/list/watch/patch on ${t.plural}.${t.group} (chart: argoRollouts.enabled=true), or pass --ignored-workload-types ${t.plural}`,
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
        for (const [key, w] of this.workloads) if (w.namespace === e.key) this.evaluateNow(key, 'namespace selected');
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
    const now = Date.now();
    const candidates = new Set<string>([...(this.refIndex.get(`${ns}/${kind}/${name}`) ?? []), ...(this.explicit.get(ns) ?? [])]);
    if (e.type === 'DELETED') {
      // new pods could not start without it: record the new state, roll when it comes back
      for (const key of candidates) this.evaluateNow(key, `${kind}/${name} deleted`, true);
      return;
    }
    for (const key of candidates) {
      const p = this.pending.get(key) ?? { since: now, changed: new Set<string>(), attempt: 0 };
      p.changed.add(`${kind}/${name}`);
      this.pending.set(key, p);
      this.scheduler.schedule(key);
    }
  }

  private index(key: string, w: WorkloadRecord | undefined, add: boolean): void {
    if (!w) return;
    for (const ref of w.refs) {
      const k = `${w.namespace}/${ref}`;
      let set = this.refIndex.get(k);
      if (add) {
        if (!set) this.refIndex.set(k, (set = new Set()));
        set.add(key);
      } else if (set) {
        set.delete(key);
        if (set.size === 0) this.refIndex.delete(k);
      }
    }
    const hasExplicit = Object.keys(w.annotations).concat(Object.keys(w.podAnnotations)).some((a) => a.endsWith('.reloader.stakater.com/reload') && !a.includes('exclude'));
    let set = this.explicit.get(w.namespace);
    if (add && hasExplicit) {
      if (!set) this.explicit.set(w.namespace, (set = new Set()));
      set.add(key);
    } else if (!add && set) {
      set.delete(key);
    }
  }

  private onWorkload(kind: string, e: ChangeEvent<WorkloadRecord>): void {
    const key = `${kind}/${e.key}`;
    this.index(key, e.previous, false);
    if (e.current) {
      this.workloads.set(key, e.current);
      this.index(key, e.current, true);
    } else {
      this.workloads.delete(key);
      this.scheduler.forget(key);
      this.pending.delete(key);
      this.warned.delete(key);
      clearTimeout(this.resumeTimers.get(key));
      this.resumeTimers.delete(key);
      return;
    }
    if (!this.synced || !this.leading || this.lateKinds.has(kind)) return;
    const prev = e.previous;
    const cur = e.current;
    // the pod template or the annotations were edited: that edit rolls (or not) by itself;
    // record the new state instead of rolling a second time
    const edited =
      !prev || prev.refs.join() !== cur.refs.join() || JSON.stringify([prev.annotations, prev.podAnnotations]) !== JSON.stringify([cur.annotations, cur.podAnnotations]);
    this.evaluateNow(key, edited ? 'workload edited' : 'workload changed', edited);
    this.armResume(key, cur);
  }

  /** Evaluates every workload: baselines first meetings, schedules real changes, rolls nothing else. */
  private fullPass(reason: string): void {
    let rolls = 0;
    let baselines = 0;
    for (const [key, w] of this.workloads) {
      const d = this.evaluateNow(key, reason);
      if (d?.action === 'roll') rolls++;
      if (d?.action === 'baseline') baselines++;
      this.armResume(key, w);
    }
    this.log.info('full evaluation', { reason, workloads: this.workloads.size, toRoll: rolls, toBaseline: baselines });
  }

  private decision(key: string): { w: WorkloadRecord; d: Decision } | undefined {
    const w = this.workloads.get(key);
    if (!w || !this.nsAllowed(w.namespace) || !isManaged(w, { autoReloadAll: this.o.autoReloadAll })) return undefined;
    const t = triggersOf(w, this.nsConfigs(w.namespace), { autoReloadAll: this.o.autoReloadAll });
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
    if (d.action === 'baseline' || baselineOnly) {
      this.enqueueBaseline(key, w, d.hash, reason);
      return { action: 'baseline', hash: d.hash };
    }
    const p = this.pending.get(key) ?? { since: Date.now(), changed: new Set<string>(), attempt: 0 };
    this.pending.set(key, p);
    this.scheduler.schedule(key);
    return d;
  }

  private enqueueBaseline(key: string, w: WorkloadRecord, hash: string, reason: string): void {
    if (this.o.dryRun) {
      this.log.info('dry-run: would record baseline', { workload: key, hash: hash.slice(0, 12), reason });
      return;
    }
    // optimistic: decisions made before the patch's echo arrives compare against the new baseline,
    // so a change landing in between is rolled, not absorbed into the baseline
    w.recorded = hash;
    this.baselineQueue.push(async () => {
      if (!this.leading) return;
      const res = await this.patch(w, baselinePatch(w, hash)).catch((err: Error) => ({ status: 0, body: err.message, headers: {} }) as KubeResponse);
      if (res.status === 200) this.log.info('recorded baseline', { workload: key, hash: hash.slice(0, 12), reason });
      else if (res.status !== 404) this.log.warn('could not record baseline', { workload: key, status: res.status, error: statusMessage(res) });
    });
    this.drainBaselines();
  }

  private drainBaselines(): void {
    while (this.baselineRunning < BASELINE_CONCURRENCY && this.baselineQueue.length) {
      const job = this.baselineQueue.shift()!;
      this.baselineRunning++;
      job().finally(() => {
        this.baselineRunning--;
        this.drainBaselines();
      });
    }
  }

  private typeOf(kind: string): ResourceType {
    return this.workloadTypes.find((t) => t.kind === kind) ?? WORKLOAD_TYPES.find((t) => t.kind === kind)!;
  }

  private patch(w: WorkloadRecord, p: Patch): Promise<KubeResponse> {
    return this.client.request('PATCH', objectPath(this.typeOf(w.kind), w.namespace, w.name), {
      body: p.body,
      contentType: p.contentType,
      timeoutMs: 30_000,
    });
  }

  /** The scheduler's job: re-decide now (changes may have coalesced or reverted) and act. */
  private async execute(key: string): Promise<RunResult> {
    if (!this.leading) return 'skipped';
    const found = this.decision(key);
    const p = this.pending.get(key);
    if (!found || found.d.action === 'none') {
      this.pending.delete(key);
      return 'skipped';
    }
    const { w, d } = found;
    if (d.action === 'baseline') {
      this.pending.delete(key);
      this.enqueueBaseline(key, w, d.hash, 'first meeting');
      return 'skipped';
    }
    const changed = p ? [...p.changed] : [];
    const labels = { kind: w.kind, namespace: w.namespace };
    if (this.o.dryRun) {
      this.pending.delete(key);
      this.metrics.reloads.inc({ ...labels, result: 'dry-run' });
      this.log.info('dry-run: would roll', { workload: key, hash: d.hash.slice(0, 12), changed });
      return 'skipped';
    }
    let res: KubeResponse;
    try {
      res = await this.patch(w, rollPatch(w, d, this.o.strategy, new Date()));
    } catch (err) {
      res = { status: 0, body: JSON.stringify({ message: (err as Error).message }), headers: {} };
    }
    if (res.status === 200) {
      this.pending.delete(key);
      w.recorded = d.hash;
      if (this.o.strategy === 'annotations' || w.kind === 'Rollout') w.stamp = d.hash;
      else Object.assign(w.env, d.env ?? {});
      this.metrics.reloads.inc({ ...labels, result: 'success' });
      if (p) this.metrics.latency.observe((Date.now() - p.since) / 1000);
      this.log.info('rolled', { workload: key, hash: d.hash.slice(0, 12), changed, strategy: this.o.strategy });
      void this.event(w, 'Normal', 'Reloaded', `Rolled for changes in ${changed.length ? changed.join(', ') : 'referenced configuration'} (hash ${d.hash.slice(0, 12)})`);
      return 'rolled';
    }
    if (res.status === 404) {
      this.pending.delete(key);
      return 'skipped';
    }
    this.metrics.reloads.inc({ ...labels, result: 'failure' });
    const attempt = (p?.attempt ?? 0) + 1;
    this.log.error('rollout patch failed', { workload: key, status: res.status, error: statusMessage(res), attempt });
    void this.event(w, 'Warning', 'ReloadFailed', `Rollout patch failed: ${statusMessage(res)}`);
    if (p && attempt < MAX_ATTEMPTS) {
      p.attempt = attempt;
      setTimeout(() => this.scheduler.schedule(key), backoffDelay(attempt, { initialMs: 1000, maxMs: 60_000 })).unref();
    } else {
      this.pending.delete(key);
    }
    return 'failed';
  }

  /** Resumes a Deployment paused by pause-period once its period is over (timers re-armed after restarts). */
  private armResume(key: string, w: WorkloadRecord): void {
    const at = resumeAt(w);
    clearTimeout(this.resumeTimers.get(key));
    this.resumeTimers.delete(key);
    if (at === undefined || !this.leading || this.o.dryRun) return;
    const timer = setTimeout(async () => {
      this.resumeTimers.delete(key);
      const current = this.workloads.get(key);
      if (!current || resumeAt(current) === undefined || !this.leading) return;
      const res = await this.patch(current, resumePatch()).catch(() => undefined);
      if (res?.status === 200) this.log.info('resumed paused deployment', { workload: key });
      else this.log.warn('could not resume paused deployment', { workload: key, status: res?.status });
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.resumeTimers.set(key, timer);
  }

  private async event(w: WorkloadRecord, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    if (!this.o.events) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const apiVersion = this.typeOf(w.kind).group ? `${this.typeOf(w.kind).group}/${this.typeOf(w.kind).version}` : 'v1';
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${w.name}.`, namespace: w.namespace },
      involvedObject: { apiVersion, kind: w.kind, name: w.name, namespace: w.namespace, ...(w.uid ? { uid: w.uid } : {}) },
      reason,
      message,
      type,
      source: { component: 'ksec-watch' },
      reportingComponent: 'ksec-watch',
      reportingInstance: this.o.identity,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      const res = await this.client.request('POST', `/api/v1/namespaces/${encodeURIComponent(w.namespace)}/events`, { body, timeoutMs: 10_000 });
      if (res.status !== 201) this.log.debug('could not create event', { status: res.status });
    } catch {
      // events are best effort
    }
  }
}
