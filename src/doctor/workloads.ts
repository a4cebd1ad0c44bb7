/**
 * Reloads and hygiene, from the live workloads and the ConfigMaps/Secrets their pod templates
 * use. Reloads: Reloader's STAKATER_* variables that no longer match their config (a missed
 * reload), Deployments left paused by a pause-period (Reloader #1016), ReplicaSet churn that
 * suggests a reload loop (Reloader #1183), the watcher's Lease and /readyz. Hygiene: references
 * to ConfigMaps/Secrets that do not exist, credentials as literal env values. Config values are
 * read only to hash them; the checks name objects and keys, never values.
 */
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../manifest/objects.js';
import { findReferences, podTemplateOf } from '../config-hash/references.js';
import { reloaderHash } from '../config-hash/reloader.js';
import { literalEnvCredentials } from '../scan/rules/container-env.js';
import { parseDuration } from '../watch/duration.js';
import { reloaderEnvName } from '../watch/policy.js';
import { collection, getOne, listAll, notListed } from './api.js';
import { forEachLimited } from './sealed-secrets.js';
import type { DoctorCheck } from './types.js';

export interface WorkloadOptions {
  leaseName: string;
  /** the watcher's HTTP address (e.g. http://ksec-watch.ksec:8080), to ask /readyz */
  watcherUrl?: string;
  /** only this namespace's workloads, ReplicaSets and Leases */
  namespace?: string;
  now: Date;
}

interface Workload extends KubeObject {
  metadata: KubeObject['metadata'] & { uid?: string; name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { paused?: boolean };
}

const WORKLOAD_LISTS: [kind: string, groupVersion: string, resource: string][] = [
  ['Deployment', 'apps/v1', 'deployments'],
  ['StatefulSet', 'apps/v1', 'statefulsets'],
  ['DaemonSet', 'apps/v1', 'daemonsets'],
  ['CronJob', 'batch/v1', 'cronjobs'],
];
const PAUSE_PERIOD = 'deployment.reloader.stakater.com/pause-period';
const PAUSED_AT = 'deployment.reloader.stakater.com/paused-at';
const STAKATER = /^STAKATER_.+_(CONFIGMAP|SECRET)$/;
/** more ReplicaSets than this created for one Deployment within an hour looks like a reload loop */
const LOOP_REPLICASETS = 5;

export async function checkWorkloads(client: KubeClient, options: WorkloadOptions): Promise<DoctorCheck[]> {
  const reloads: DoctorCheck[] = [];
  const hygiene: DoctorCheck[] = [];
  const configs = new ConfigCache(client);
  const deployments: Workload[] = [];
  let count = 0;
  for (const [kind, groupVersion, resource] of WORKLOAD_LISTS) {
    const listed = await listAll<Workload>(client, collection(groupVersion, resource, options.namespace));
    if (!listed.ok) {
      reloads.push({ area: 'reloads', check: 'workloads', ...notListed(`${kind}s`, listed) });
      continue;
    }
    for (const w of listed.items) w.kind = kind;
    count += listed.items.length;
    if (kind === 'Deployment') deployments.push(...listed.items);
    // the configs each workload uses are fetched once each, 16 requests at a time
    await forEachLimited(listed.items, 16, async (w) => {
      const found = await inspect(w, configs, options.now);
      reloads.push(...found.reloads);
      hygiene.push(...found.hygiene);
    });
  }
  const byObject = (a: DoctorCheck, b: DoctorCheck) => (a.object ?? '').localeCompare(b.object ?? '') || a.check.localeCompare(b.check);
  reloads.sort(byObject);
  hygiene.sort(byObject);
  reloads.push(...(await replicaSetChurn(client, deployments, options.now, options.namespace)));
  reloads.push(...(await leaseChecks(client, options)));
  if (options.watcherUrl) reloads.push(await readyz(options.watcherUrl));
  const flagged = new Set([...reloads, ...hygiene].filter((c) => c.status !== 'ok' && c.object).map((c) => c.object));
  reloads.unshift({ area: 'reloads', check: 'workloads', status: 'ok', reason: `${count} workload(s) read, ${count - flagged.size} with nothing to report` });
  return [...reloads, ...hygiene];
}

/** The reload and hygiene checks of one workload. */
async function inspect(w: Workload, configs: ConfigCache, now: Date): Promise<{ reloads: DoctorCheck[]; hygiene: DoctorCheck[] }> {
  const reloads: DoctorCheck[] = [];
  const hygiene: DoctorCheck[] = [];
  const object = `${w.kind}/${w.metadata.namespace}/${w.metadata.name}`;
  const refs = findReferences(podTemplateOf(w)?.spec);
  const ns = w.metadata.namespace ?? 'default';
  for (const ref of refs) {
    const live = await configs.get(ns, ref.kind, ref.name);
    if (live === undefined && !ref.optional) {
      hygiene.push({ area: 'hygiene', check: 'missing-config', object, status: 'fail', reason: `uses ${ref.kind} ${ref.name} (${ref.via}), which does not exist: new pods cannot start`, hint: 'create it, or mark the reference optional: true' });
    }
  }
  reloads.push(...(await stakaterChecks(w, object, refs, ns, configs)));
  for (const hit of literalEnvCredentials(w)) {
    hygiene.push({ area: 'hygiene', check: 'literal-env-secret', object, status: 'warn', reason: hit.message, hint: 'take it from a Secret: env[].valueFrom.secretKeyRef or envFrom' });
  }
  const paused = w.kind === 'Deployment' ? pausedTooLong(w, now) : undefined;
  if (paused) reloads.push({ area: 'reloads', check: 'paused', object, status: 'warn', reason: paused, hint: 'kubectl rollout resume (Reloader #1016: a restart during the pause leaves it paused)' });
  return { reloads, hygiene };
}

/** Live ConfigMaps and Secrets by namespace/kind/name, each fetched once: the object, undefined when absent, or 'forbidden'. */
class ConfigCache {
  private readonly cache = new Map<string, Promise<KubeObject | undefined | 'forbidden'>>();
  constructor(private readonly client: KubeClient) {}
  get(ns: string, kind: 'ConfigMap' | 'Secret', name: string): Promise<KubeObject | undefined | 'forbidden'> {
    const key = `${ns}/${kind}/${name}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = getOne<KubeObject>(this.client, `/api/v1/namespaces/${ns}/${kind === 'Secret' ? 'secrets' : 'configmaps'}/${encodeURIComponent(name)}`).then((r) =>
        r.ok ? { ...r.object, kind } : r.status === 404 ? undefined : 'forbidden',
      );
      this.cache.set(key, hit);
    }
    return hit;
  }
}

/** Reloader's variables that disagree with the live config they stand for: a change that did not roll. */
async function stakaterChecks(w: Workload, object: string, refs: ReturnType<typeof findReferences>, ns: string, configs: ConfigCache): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const containers = (podTemplateOf(w)?.spec?.containers ?? []) as { env?: { name?: string; value?: string }[] }[];
  const byEnvName = new Map(refs.map((r) => [reloaderEnvName(r.kind, r.name), r] as const));
  for (const c of containers) {
    for (const e of c.env ?? []) {
      if (!e.name || !STAKATER.test(e.name) || typeof e.value !== 'string') continue;
      const ref = byEnvName.get(e.name);
      if (!ref) continue;
      const live = await configs.get(ns, ref.kind, ref.name);
      if (live === undefined || live === 'forbidden') continue;
      const want = reloaderHash(live);
      if (want !== e.value) {
        out.push({ area: 'reloads', check: 'missed-reload', object, status: 'warn', reason: `${e.name} was set for an older ${ref.kind} ${ref.name}: its change since then did not roll the pods`, hint: 'is the watcher (ksec watch or Reloader) running? kubectl rollout restart rolls it now' });
      }
    }
  }
  return out;
}


function pausedTooLong(w: Workload, now: Date): string | undefined {
  if (!w.spec?.paused) return undefined;
  const at = w.metadata.annotations?.[PAUSED_AT];
  const period = parseDuration(w.metadata.annotations?.[PAUSE_PERIOD] ?? '');
  if (!at || period === undefined) return undefined;
  const over = now.getTime() - Date.parse(at) - period;
  return over > 60_000 ? `paused by a reload at ${at} with pause-period ${w.metadata.annotations?.[PAUSE_PERIOD]}, and still paused ${Math.round(over / 60_000)} min after it ended` : undefined;
}

async function replicaSetChurn(client: KubeClient, deployments: Workload[], now: Date, namespace?: string): Promise<DoctorCheck[]> {
  if (deployments.length === 0) return [];
  const listed = await listAll<{ metadata: { creationTimestamp?: string; ownerReferences?: { uid: string }[] } }>(client, collection('apps/v1', 'replicasets', namespace));
  if (!listed.ok) return [{ area: 'reloads', check: 'reload-loop', ...notListed('ReplicaSets', listed) }];
  const recent = new Map<string, number>();
  for (const rs of listed.items) {
    const created = Date.parse(rs.metadata.creationTimestamp ?? '');
    if (!(now.getTime() - created < 3_600_000)) continue;
    for (const o of rs.metadata.ownerReferences ?? []) recent.set(o.uid, (recent.get(o.uid) ?? 0) + 1);
  }
  const out: DoctorCheck[] = [];
  for (const d of deployments) {
    const n = recent.get(d.metadata.uid ?? '') ?? 0;
    if (n > LOOP_REPLICASETS) {
      out.push({ area: 'reloads', check: 'reload-loop', object: `Deployment/${d.metadata.namespace}/${d.metadata.name}`, status: 'warn', reason: `${n} ReplicaSets created in the last hour: a reload loop? (Reloader #1183)`, hint: 'look for a config that changes on every rollout (a generated value, a controller writing it)' });
    }
  }
  return out;
}

async function leaseChecks(client: KubeClient, options: WorkloadOptions): Promise<DoctorCheck[]> {
  const listed = await listAll<{ metadata: { name: string; namespace?: string }; spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } }>(client, collection('coordination.k8s.io/v1', 'leases', options.namespace));
  if (!listed.ok) return [{ area: 'reloads', check: 'watcher-lease', ...notListed('Leases', listed) }];
  const leases = listed.items.filter((l) => l.metadata.name === options.leaseName);
  if (leases.length === 0) {
    return [{ area: 'reloads', check: 'watcher-lease', status: 'ok', reason: `no Lease named ${options.leaseName}: ksec watch is not running here with leader election (--lease-name if it uses another)` }];
  }
  return leases.map((l) => {
    const object = `Lease/${l.metadata.namespace}/${l.metadata.name}`;
    const renewed = Date.parse(l.spec?.renewTime ?? '');
    const limit = 2 * (l.spec?.leaseDurationSeconds ?? 15) * 1000;
    const age = options.now.getTime() - renewed;
    if (!l.spec?.holderIdentity || !Number.isFinite(renewed) || age > limit) {
      return { area: 'reloads', check: 'watcher-lease', object, status: 'fail', reason: `no watcher holds it${Number.isFinite(renewed) ? ` (last renewed ${Math.round(age / 1000)}s ago)` : ''}: config changes are not being rolled`, hint: 'check the ksec watch pods' } satisfies DoctorCheck;
    }
    return { area: 'reloads', check: 'watcher-lease', object, status: 'ok', reason: `held by ${l.spec.holderIdentity}, renewed ${Math.round(age / 1000)}s ago` } satisfies DoctorCheck;
  });
}

async function readyz(base: string): Promise<DoctorCheck> {
  const url = `${base.replace(/\/+$/, '')}/readyz`;
  const object = withoutCredentials(url);
  try {
    // fetch refuses a URL with credentials: they go in an Authorization header, as curl sends them
    const u = new URL(url);
    const auth = u.username || u.password ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` : undefined;
    u.username = u.password = '';
    const res = await fetch(u, { signal: AbortSignal.timeout(5000), ...(auth ? { headers: { authorization: auth } } : {}) });
    return res.ok
      ? { area: 'reloads', check: 'watcher-readyz', object, status: 'ok', reason: `ready (HTTP ${res.status})` }
      : { area: 'reloads', check: 'watcher-readyz', object, status: 'fail', reason: `not ready (HTTP ${res.status})`, hint: 'see the watcher\'s log' };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const code = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err as Error).message;
    return { area: 'reloads', check: 'watcher-readyz', object, status: 'fail', reason: `unreachable: ${code.split(url).join(object)}` };
  }
}

/** The URL as it may be printed: user and password taken out (a proxy URL may carry them). */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
