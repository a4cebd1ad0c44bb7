/**
 * External Secrets health: every SecretStore and ClusterSecretStore Ready; every ExternalSecret
 * Ready and refreshed within its refreshInterval (ESO #2419: Ready stays True while syncs fail,
 * so a refreshTime long past the interval is the tell), those made by ClusterExternalSecrets
 * included; and an estimate of the provider API calls per hour the refresh intervals cost.
 */
import type { KubeClient } from '../kube/client.js';
import { parseDuration } from '../watch/duration.js';
import { collection, listAll, notListed, type Listed } from './api.js';
import { oneLine } from './sealed-secrets.js';
import type { DoctorCheck } from './types.js';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface EsoObject {
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string };
  spec?: { refreshInterval?: string; data?: unknown[]; dataFrom?: unknown[] };
  status?: { conditions?: Condition[]; refreshTime?: string };
}

const area = 'external-secrets' as const;
/** ESO serves v1 since v0.17; older installs only v1beta1 */
const VERSIONS = ['v1', 'v1beta1'];

async function listEso(client: KubeClient, plural: string, namespace?: string): Promise<Listed<EsoObject>> {
  let last: Listed<EsoObject> = { ok: false, status: 404, message: 'not found' };
  for (const v of VERSIONS) {
    last = await listAll<EsoObject>(client, collection(`external-secrets.io/${v}`, plural, plural === 'clustersecretstores' ? undefined : namespace));
    if (last.ok || last.status === 403) return last;
  }
  return last;
}

/** `namespace`: only that namespace's stores and ExternalSecrets (ClusterSecretStores always). */
export async function checkExternalSecrets(client: KubeClient, now: Date, namespace?: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const [plural, kind] of [['clustersecretstores', 'ClusterSecretStore'], ['secretstores', 'SecretStore']] as const) {
    const listed = await listEso(client, plural, namespace);
    if (!listed.ok) {
      checks.push({ area, check: 'stores', ...notListed(`${kind}s`, listed) });
      continue;
    }
    for (const store of listed.items) {
      const object = objectName(kind, store);
      const ready = store.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status === 'True') {
        checks.push({ area, check: 'store-ready', object, status: 'ok', reason: 'Ready' });
        continue;
      }
      // ESO's condition says only "unable to create client"; the cause is in the Warning event it records
      const event = await storeWarning(client, kind, store);
      const why = `${ready ? `: ${oneLine(ready.message ?? ready.reason ?? '')}` : ' (no Ready condition yet)'}${event ? `; last warning: ${event}` : ''}`;
      checks.push({ area, check: 'store-ready', object, status: 'fail', reason: `not Ready${why}`, hint: 'check the provider credentials and region (kubectl describe)' });
    }
  }
  const listed = await listEso(client, 'externalsecrets', namespace);
  if (!listed.ok) return [...checks, { area, check: 'externalsecrets', ...notListed('ExternalSecrets', listed) }];
  let callsPerHour = 0;
  for (const es of listed.items) {
    const object = objectName('ExternalSecret', es);
    const interval = parseDuration(es.spec?.refreshInterval ?? '1h');
    const calls = (es.spec?.data?.length ?? 0) + (es.spec?.dataFrom?.length ?? 0);
    if (interval && interval > 0) callsPerHour += (calls * 3_600_000) / interval;
    const ready = es.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') {
      checks.push({ area, check: 'ready', object, status: 'fail', reason: `not Ready${ready ? `: ${oneLine(ready.message ?? ready.reason ?? '')}` : ' (no Ready condition yet)'}`, hint: 'kubectl describe the ExternalSecret for the provider error' });
      continue;
    }
    const refreshed = es.status?.refreshTime ? Date.parse(es.status.refreshTime) : NaN;
    // late: more than two intervals plus a minute without a refresh (ESO re-reads every interval)
    if (interval && interval > 0 && Number.isFinite(refreshed) && now.getTime() - refreshed > 2 * interval + 60_000) {
      checks.push({
        area,
        check: 'refresh',
        object,
        status: 'warn',
        reason: `Ready, but last refreshed ${ago(now.getTime() - refreshed)} ago with refreshInterval ${es.spec?.refreshInterval}: syncs are failing or the controller is stuck (ESO #2419)`,
        hint: 'check the ExternalSecret\'s events and the ESO controller logs',
      });
    } else {
      checks.push({ area, check: 'ready', object, status: 'ok', reason: Number.isFinite(refreshed) ? `Ready, refreshed ${ago(now.getTime() - refreshed)} ago` : 'Ready' });
    }
  }
  checks.push({
    area,
    check: 'api-calls',
    status: 'ok',
    reason: `${listed.items.length} ExternalSecret(s): about ${Math.round(callsPerHour)} provider API calls per hour from their refresh intervals (one per data entry and per dataFrom, each interval)`,
  });
  return checks;
}

/** A core/v1 Event, the fields read here. */
export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  metadata?: { creationTimestamp?: string };
}

/**
 * `reason: message` of the newest Warning among `events` (by lastTimestamp, else eventTime, else
 * creation), on one line; undefined when there is none. Store events carry provider and
 * credential errors (which Secret or key is missing, what AWS refused), never a secret's value.
 */
export function latestWarning(events: readonly KubeEvent[]): string | undefined {
  const at = (e: KubeEvent) => Date.parse(e.lastTimestamp || e.eventTime || e.metadata?.creationTimestamp || '') || 0;
  const newest = events.filter((e) => e.type === 'Warning').reduce<KubeEvent | undefined>((a, e) => (!a || at(e) >= at(a) ? e : a), undefined);
  if (!newest) return undefined;
  return oneLine([newest.reason, newest.message].filter(Boolean).join(': ')) || undefined;
}

/** The newest Warning event for a store; undefined when there is none or events cannot be listed (403). */
async function storeWarning(client: KubeClient, kind: string, store: EsoObject): Promise<string | undefined> {
  // events of a cluster-scoped object are recorded in "default"
  const namespace = store.metadata.namespace ?? 'default';
  const fields = [`involvedObject.kind=${kind}`, `involvedObject.name=${store.metadata.name}`, 'type=Warning'];
  if (store.metadata.uid) fields.push(`involvedObject.uid=${store.metadata.uid}`);
  const listed = await listAll<KubeEvent>(client, collection('v1', 'events', namespace), undefined, fields.join(','));
  return listed.ok ? latestWarning(listed.items) : undefined;
}

function objectName(kind: string, o: EsoObject): string {
  return o.metadata.namespace ? `${kind}/${o.metadata.namespace}/${o.metadata.name}` : `${kind}/${o.metadata.name}`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}
