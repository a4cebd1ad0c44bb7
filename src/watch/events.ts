/**
 * Kubernetes Events on workloads (core/v1 Event, source and reporting
 * component `ksec-watch`): `Normal Reloaded` after a rollout, `Warning
 * ReloadFail` after a failed patch (Reloader's reasons, so alerts on them keep working). Best effort: a failure is logged at
 * debug level and never retried.
 */
import type { KubeClient } from '../kube/client.js';
import type { Logger } from './log.js';
import type { WorkloadRecord } from './policy.js';
import { workloadType } from './resources.js';

export interface EventRecorderOptions {
  client: Pick<KubeClient, 'request'>;
  /** false: record nothing (--no-events) */
  enabled: boolean;
  /** reportingInstance: this process's identity */
  identity: string;
  log: Logger;
}

export class EventRecorder {
  constructor(private readonly o: EventRecorderOptions) {}

  async record(w: WorkloadRecord, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    if (!this.o.enabled) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const t = workloadType(w.kind);
    const apiVersion = t.group ? `${t.group}/${t.version}` : 'v1';
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
      const res = await this.o.client.request('POST', `/api/v1/namespaces/${encodeURIComponent(w.namespace)}/events`, { body, timeoutMs: 10_000 });
      if (res.status !== 201) this.o.log.debug('could not create event', { status: res.status });
    } catch {
      // events are best effort
    }
  }
}
