/**
 * The watcher's metrics in the Prometheus text exposition format (version
 * 0.0.4): for each family `# HELP`, `# TYPE` (counter, gauge or histogram),
 * then its samples. Label values are kinds, namespaces, resources, results
 * and event types: never config names' contents or values.
 */
type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

/** A monotonically increasing count per label set; or, with collect(), one count kept elsewhere and read at scrape time. */
export class Counter implements Family {
  readonly type = 'counter' as const;
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  private read?: () => number;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const e = this.values.get(key);
    if (e) e.value += by;
    else this.values.set(key, { labels, value: by });
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  /** The unlabelled value is `read()` at scrape time; `read` must never decrease. */
  collect(read: () => number): void {
    this.read = read;
  }
  render(): string[] {
    if (this.read) return [`${this.name} ${this.read()}`];
    return [...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${e.value}`);
  }
}

/** One unlabelled value that goes up and down: set, or read at scrape time; no sample until either. */
export class Gauge implements Family {
  readonly type = 'gauge' as const;
  private read?: () => number;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(value: number): void {
    this.read = () => value;
  }
  collect(read: () => number): void {
    this.read = read;
  }
  render(): string[] {
    return this.read ? [`${this.name} ${this.read()}`] : [];
  }
}

/** A gauge whose labelled values are read at scrape time. */
export class CollectedGauge implements Family {
  readonly type = 'gauge' as const;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Array<[Labels, number]>,
  ) {}
  render(): string[] {
    return this.read().map(([labels, value]) => `${this.name}${labelText(labels)} ${value}`);
  }
}

/** Cumulative buckets (`le`), `_sum` and `_count`. */
export class Histogram implements Family {
  readonly type = 'histogram' as const;
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    this.buckets.forEach((b, i) => {
      if (value <= b) this.counts[i]!++;
    });
  }
  render(): string[] {
    const lines = this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`);
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines;
  }
}

export class WatchMetrics {
  readonly reloads = new Counter('ksec_watch_reloads_total', 'Rollouts by workload kind, namespace and result (success, failure, dry-run).');
  readonly events = new Counter('ksec_watch_events_received_total', 'Watch events received, by resource and type.');
  readonly relists = new Counter('ksec_watch_relists_total', 'Full LISTs (start, 410 Gone, errors), by resource.');
  readonly queueDepth = new Gauge('ksec_watch_queue_depth', 'Workloads waiting for debounce, min-interval or the rate limit.');
  readonly leader = new Gauge('ksec_watch_is_leader', '1 when this process holds the lease (or runs without election).');
  readonly apiRequests = new Counter('ksec_watch_api_requests_total', 'Requests sent to the Kubernetes API.');
  readonly latency = new Histogram(
    'ksec_watch_event_to_patch_seconds',
    'Seconds from receiving the config change to the rollout patch being accepted (includes debounce).',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );

  /** objects held in the caches, by resource (hashes and references only) */
  cached: CollectedGauge = new CollectedGauge('ksec_watch_cached_objects', 'Objects held in the caches (compact records), by resource.', () => []);

  /**
   * Reloader's names for the same rollouts (v1.4.14 internal/pkg/metrics), so its dashboards and
   * alerts keep working: `reloader_reload_executed_total{success}`, both label values present from
   * the start; with `countByNamespace` (Reloader: METRICS_COUNT_BY_NAMESPACE=enabled) also
   * `reloader_reload_executed_total_by_namespace{success,namespace}`. Dry runs count in neither.
   */
  readonly reloaderExecuted = new Counter('reloader_reload_executed_total', 'Reloads by success (Reloader\'s name; the rollouts of ksec_watch_reloads_total).');
  readonly reloaderByNamespace = new Counter('reloader_reload_executed_total_by_namespace', 'Reloads by success and namespace (Reloader\'s name).');

  constructor(private readonly countByNamespace = false) {
    this.reloaderExecuted.inc({ success: 'true' }, 0);
    this.reloaderExecuted.inc({ success: 'false' }, 0);
  }

  /** One rollout attempt's outcome, under ksec's and Reloader's names. */
  recordReload(kind: string, namespace: string, result: 'success' | 'failure' | 'dry-run'): void {
    this.reloads.inc({ kind, namespace, result });
    if (result === 'dry-run') return;
    const success = result === 'success' ? 'true' : 'false';
    this.reloaderExecuted.inc({ success });
    if (this.countByNamespace) this.reloaderByNamespace.inc({ success, namespace });
  }

  render(): string {
    const families: Family[] = [this.reloads, this.events, this.relists, this.queueDepth, this.leader, this.apiRequests, this.latency, this.cached, this.reloaderExecuted];
    if (this.countByNamespace) families.push(this.reloaderByNamespace);
    const out: string[] = [];
    for (const f of families) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return `${out.join('\n')}\n`;
  }
}
