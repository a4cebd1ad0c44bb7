/**
 * Reading the cluster for `ksec doctor`: paginated lists and single gets that turn a 403 or a
 * missing API into a value the checks report, not an exception. Other failures (the API server
 * unreachable, credentials) throw the kube/ KsecError (exit 3).
 */
import type { KubeClient } from '../kube/client.js';
import { requestFailure, statusMessage } from '../kube/errors.js';

export type Listed<T> = { ok: true; items: T[] } | { ok: false; status: 403 | 404; message: string };
export type Got<T> = { ok: true; object: T } | { ok: false; status: number; message: string };

/** The objects at a collection path (all pages, 500 at a time); 403 and 404 are returned, not thrown. */
export async function listAll<T>(client: KubeClient, path: string, labelSelector?: string, fieldSelector?: string): Promise<Listed<T>> {
  const items: T[] = [];
  let next: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '500' });
    if (labelSelector) query.set('labelSelector', labelSelector);
    if (fieldSelector) query.set('fieldSelector', fieldSelector);
    if (next) query.set('continue', next);
    const res = await send(client, `${path}?${query}`);
    if (res.status === 403 || res.status === 404) return { ok: false, status: res.status, message: statusMessage(res) };
    if (res.status !== 200) throw new Error(`GET ${path}: ${statusMessage(res)}`);
    const body = JSON.parse(res.body) as { items?: T[]; metadata?: { continue?: string } };
    items.push(...(body.items ?? []));
    next = body.metadata?.continue || undefined;
  } while (next);
  return { ok: true, items };
}

/** One object; any non-200 status is returned with the API server's message. */
export async function getOne<T>(client: KubeClient, path: string): Promise<Got<T>> {
  const res = await send(client, path);
  if (res.status !== 200) return { ok: false, status: res.status, message: statusMessage(res) };
  return { ok: true, object: JSON.parse(res.body) as T };
}

async function send(client: KubeClient, path: string) {
  try {
    return await client.request('GET', path);
  } catch (err) {
    throw requestFailure(err, { server: client.server, unreachableHint: 'check --kubeconfig/--context and that the cluster is up' });
  }
}

/**
 * The collection path of a resource, in one namespace or across all: `groupVersion` is
 * `v1` for the core group, else `group/version` (e.g. `apps/v1`).
 */
export function collection(groupVersion: string, resource: string, namespace?: string): string {
  const base = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
  return `${base}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${resource}`;
}

/** A 403/404 list as the check that says so: 403 is a warn (not checked), 404 an API not installed. */
export function notListed(what: string, listed: { status: 403 | 404; message: string }): { status: 'ok' | 'warn'; reason: string; hint?: string } {
  return listed.status === 403
    ? { status: 'warn', reason: `not checked: cannot list ${what} (forbidden)`, hint: 'grant get/list on it (docs/doctor.md#rbac)' }
    : { status: 'ok', reason: `${what}: the API is not installed in this cluster, nothing to check` };
}
