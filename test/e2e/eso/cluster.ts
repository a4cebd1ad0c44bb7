/**
 * Small Kubernetes helpers of the ESO end-to-end tests: a namespace of the test's own, applying what
 * ksec printed, reading back the Secrets ESO wrote (bytes, as the apiserver stores them) and the
 * status ESO reports. Admin REST calls through the bed; no client library.
 */
import { randomBytes } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import type { Testbed } from '../testbed/env.js';
import type { EsoStatus } from './controller.js';

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

const PLURALS: Record<string, string> = {
  ExternalSecret: 'externalsecrets',
  SecretStore: 'secretstores',
  ClusterSecretStore: 'clustersecretstores',
  Secret: 'secrets',
  ServiceAccount: 'serviceaccounts',
  Deployment: 'deployments',
};

export function pathOf(obj: Pick<Obj, 'apiVersion' | 'kind'> & { metadata: { namespace?: string } }, name?: string): string {
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const ns = obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : '';
  const plural = PLURALS[obj.kind];
  if (!plural) throw new Error(`no plural known for ${obj.kind}`);
  return `${base}${ns}/${plural}${name ? `/${name}` : ''}`;
}

export function docs(yamlText: string): Obj[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

export class Cluster {
  constructor(readonly bed: Testbed) {}

  async namespace(prefix: string): Promise<string> {
    const name = `${prefix}-${randomBytes(3).toString('hex')}`;
    const r = await this.bed.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    if (r.status !== 201) throw new Error(`namespace ${name}: ${r.status} ${r.body}`);
    return name;
  }

  /** Creates each object (in `namespace` when it names none and is namespaced); strict field validation. */
  async apply(objects: Obj[], namespace?: string): Promise<void> {
    for (const o of objects) {
      if (namespace && !o.metadata.namespace && o.kind !== 'ClusterSecretStore') o.metadata.namespace = namespace;
      const r = await this.bed.request('POST', `${pathOf(o)}?fieldValidation=Strict`, o);
      if (r.status !== 201) throw new Error(`create ${o.kind}/${o.metadata.name}: ${r.status} ${r.body.slice(0, 500)}`);
    }
  }

  async delete(o: Pick<Obj, 'apiVersion' | 'kind' | 'metadata'>): Promise<void> {
    await this.bed.request('DELETE', pathOf(o, o.metadata.name));
  }

  /** Every Secret of the namespace: name -> key -> bytes. */
  async secrets(namespace: string): Promise<Map<string, { type: string; data: Map<string, Buffer>; labels: Record<string, string>; annotations: Record<string, string> }>> {
    const r = await this.bed.request('GET', `/api/v1/namespaces/${namespace}/secrets`);
    if (r.status !== 200) throw new Error(`list secrets: ${r.status}`);
    const items = r.json<{ items: { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; type: string; data?: Record<string, string> }[] }>().items;
    return new Map(
      items.map((s) => [
        s.metadata.name,
        {
          type: s.type,
          data: new Map(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
          labels: s.metadata.labels ?? {},
          annotations: s.metadata.annotations ?? {},
        },
      ]),
    );
  }

  async status(kind: 'ExternalSecret' | 'SecretStore' | 'ClusterSecretStore', name: string, namespace?: string): Promise<EsoStatus> {
    const r = await this.bed.request('GET', pathOf({ apiVersion: 'external-secrets.io/v1', kind, metadata: { namespace } }, name));
    if (r.status !== 200) return {};
    return r.json<{ status?: EsoStatus }>().status ?? {};
  }

  /** Merge-patches an object (status subresource untouched). */
  async patch(o: Pick<Obj, 'apiVersion' | 'kind' | 'metadata'>, body: unknown): Promise<void> {
    const { kubeRequest } = await import('../testbed/kube.js');
    const r = await kubeRequest({ server: this.bed.apiserverUrl, ca: this.bed.caPem, token: this.bed.adminToken }, 'PATCH', pathOf(o, o.metadata.name), body, 'application/merge-patch+json');
    if (r.status !== 200) throw new Error(`patch ${o.kind}/${o.metadata.name}: ${r.status} ${r.body.slice(0, 300)}`);
  }
}

/** The condition ESO sets on an ExternalSecret: Ready True/False with a reason such as SecretSynced or SecretSyncedError. */
export function ready(status: EsoStatus): { status: string; reason?: string; message?: string } | undefined {
  return status.conditions?.find((c) => c.type === 'Ready');
}
