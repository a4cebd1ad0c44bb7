/**
 * The Secrets Store CSI driver, as Reloader v1.4.14 integrates it (--enable-csi-integration):
 * the driver keeps one SecretProviderClassPodStatus (SPCPS) per pod and CSI volume, whose
 * `status.objects` lists the `id` and `version` of every object it mounted from the external
 * store; when its rotation fetches a new version it updates that SPCPS. Reloader treats the
 * SecretProviderClass (SPC) named in `status.secretProviderClassName` as the changed "config":
 *   - its hash is GetSHAfromSecretProviderClassPodStatus: one `id=version` per object plus
 *     `SecretProviderClassName=<name>`, sorted bytewise, joined with ";", SHA-1, hex;
 *   - an SPCPS update whose hash differs from the old one (or whose old one had no objects)
 *     reloads the workloads the SPC triggers; SPCPS creations and deletions are ignored,
 *     whatever --reload-on-create/--reload-on-delete say;
 *   - `ignore` / `match` are read from the SPC object's annotations.
 *
 * ksec's state model needs one current hash per SPC (namespace/name), not one per pod. It is
 * the hash of the SPCPS that changed last: set by an update that changes an SPCPS's hash, or,
 * while the SPC has none yet, by any SPCPS seen (the initial list takes the one with the
 * highest resourceVersion, so a rotation made while ksec was stopped is caught at start). A new
 * pod's SPCPS does not move it (Reloader ignores creations: a scale-up that mounted a newer
 * version still rolls the others when the driver rotates them). When the last SPCPS of an SPC
 * is gone, the SPC is gone too (recorded, never rolled: Reloader ignores deletions).
 */
import { createHash } from 'node:crypto';
import { isRecord } from '../manifest/objects.js';
import type { RawObject } from './reflector.js';
import type { ResourceType } from './resources.js';
import type { ConfigRecord } from './policy.js';

export const SPCPS_TYPE: ResourceType = { kind: 'SecretProviderClassPodStatus', plural: 'secretproviderclasspodstatuses', group: 'secrets-store.csi.x-k8s.io', version: 'v1' };
export const SPC_TYPE: ResourceType = { kind: 'SecretProviderClass', plural: 'secretproviderclasses', group: 'secrets-store.csi.x-k8s.io', version: 'v1' };

/** What the watcher keeps of one SPCPS. */
export interface PodStatusRecord {
  /** status.secretProviderClassName */
  spc: string;
  /** Reloader's hash of the status */
  hash: string;
  /** status.objects is non-empty (Reloader: an update from a status without objects always reloads) */
  hasObjects: boolean;
  /** metadata.resourceVersion as a number (etcd revision; 0 when absent or not numeric) */
  rv: number;
}

/** What the watcher keeps of one SPC: Reloader reads only its annotations. */
export interface SpcRecord {
  ignore: boolean;
  match: boolean;
}

/** Reloader's GetSHAfromSecretProviderClassPodStatus. */
export function spcPodStatusHash(status: unknown): string {
  const s = isRecord(status) ? status : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const values: Buffer[] = [];
  for (const o of Array.isArray(s.objects) ? s.objects : []) {
    const obj = isRecord(o) ? o : {};
    values.push(Buffer.from(`${str(obj.id)}=${str(obj.version)}`, 'utf8'));
  }
  values.push(Buffer.from(`SecretProviderClassName=${str(s.secretProviderClassName)}`, 'utf8'));
  values.sort(Buffer.compare);
  const h = createHash('sha1');
  values.forEach((v, i) => {
    if (i > 0) h.update(';');
    h.update(v);
  });
  return h.digest('hex');
}

/** The SecretProviderClass a CSI volume mounts (Reloader: volumeAttributes.secretProviderClass, any driver). */
export function csiClassOf(volume: Record<string, unknown>): string | undefined {
  const csi = isRecord(volume.csi) ? volume.csi : undefined;
  const attrs = csi && isRecord(csi.volumeAttributes) ? csi.volumeAttributes : undefined;
  return attrs && typeof attrs.secretProviderClass === 'string' && attrs.secretProviderClass ? attrs.secretProviderClass : undefined;
}

/** `SecretProviderClass/<name>` for each CSI volume of a pod spec, in order, once each. */
export function csiClassRefs(podSpec: unknown): string[] {
  const volumes = isRecord(podSpec) && Array.isArray(podSpec.volumes) ? podSpec.volumes : [];
  const out = new Set<string>();
  for (const v of volumes) {
    const name = isRecord(v) ? csiClassOf(v) : undefined;
    if (name) out.add(`SecretProviderClass/${name}`);
  }
  return [...out];
}

/** Reduces an SPCPS; undefined when it names no SPC (nothing to reload for). */
export function podStatusRecord(obj: RawObject): PodStatusRecord | undefined {
  const status = isRecord(obj.status) ? obj.status : {};
  const spc = typeof status.secretProviderClassName === 'string' ? status.secretProviderClassName : '';
  if (!spc) return undefined;
  const rv = Number(obj.metadata?.resourceVersion);
  return { spc, hash: spcPodStatusHash(status), hasObjects: Array.isArray(status.objects) && status.objects.length > 0, rv: Number.isFinite(rv) ? rv : 0 };
}

/** Reduces an SPC to the annotations Reloader reads on it. */
export function spcRecord(obj: RawObject, keys: { ignore: string; match: string }): SpcRecord {
  const a = isRecord(obj.metadata?.annotations) ? obj.metadata!.annotations : {};
  return { ignore: a[keys.ignore] === 'true', match: a[keys.match] === 'true' };
}

/**
 * Does this SPCPS event count as a change for Reloader (its update handler: hash differs from
 * the old one, or the old one had no objects)? Creations and deletions never do.
 */
export function isPodStatusUpdate(previous: PodStatusRecord | undefined, current: PodStatusRecord | undefined): boolean {
  return previous !== undefined && current !== undefined && (previous.hash !== current.hash || !previous.hasObjects);
}

/** How an SPC's record moved: a rotation (roll), or only a new/removed state to record. */
export type SpcChange = 'rotated' | 'recorded';

/**
 * The current hash of every SPC of the watched namespaces, from their SPCPS (see the header),
 * and the SPCs' annotations, combined into the ConfigRecords the policy reads.
 */
export class SpcTracker {
  /** `namespace/spc` → SPCPS key → record */
  private readonly statuses = new Map<string, Map<string, PodStatusRecord>>();
  /** `namespace/spc` → current hash */
  private readonly current = new Map<string, string>();
  private readonly annotations = new Map<string, SpcRecord>();

  /** The SPC's record for the policy, or undefined when no SPCPS names it. */
  record(namespace: string, name: string): ConfigRecord | undefined {
    const hash = this.current.get(`${namespace}/${name}`);
    if (hash === undefined) return undefined;
    const a = this.annotations.get(`${namespace}/${name}`);
    return { kind: 'SecretProviderClass', name, hash, reloaderHash: hash, ignore: a?.ignore ?? false, match: a?.match ?? false };
  }

  /** An SPC's annotations changed (or it appeared/disappeared). */
  setAnnotations(namespace: string, name: string, a: SpcRecord | undefined): void {
    if (a) this.annotations.set(`${namespace}/${name}`, a);
    else this.annotations.delete(`${namespace}/${name}`);
  }

  /**
   * An SPCPS event (`key`: namespace/name of the SPCPS). Returns the SPCs whose record changed,
   * and how: 'rotated' when an update changed the hash Reloader reloads for, else 'recorded'.
   * `live`: false while the initial list is applied (the highest resourceVersion wins).
   */
  onPodStatus(namespace: string, key: string, previous: PodStatusRecord | undefined, current: PodStatusRecord | undefined, live: boolean): { spc: string; change: SpcChange }[] {
    const out: { spc: string; change: SpcChange }[] = [];
    if (previous && (!current || previous.spc !== current.spc)) {
      const id = `${namespace}/${previous.spc}`;
      const set = this.statuses.get(id);
      set?.delete(key);
      if (!set || set.size === 0) {
        this.statuses.delete(id);
        if (this.current.delete(id)) out.push({ spc: previous.spc, change: 'recorded' });
      }
    }
    if (!current) return out;
    const id = `${namespace}/${current.spc}`;
    let set = this.statuses.get(id);
    if (!set) this.statuses.set(id, (set = new Map()));
    set.set(key, current);
    const before = this.current.get(id);
    const sameSpc = previous?.spc === current.spc;
    let next = before;
    let change: SpcChange = 'recorded';
    if (live && sameSpc && isPodStatusUpdate(previous, current)) {
      next = current.hash;
      change = 'rotated';
    } else if (before === undefined || (!live && current.rv >= this.newestRv(set, key))) {
      next = current.hash;
    }
    if (next !== before) {
      this.current.set(id, next!);
      out.push({ spc: current.spc, change });
    }
    return out;
  }

  /** The highest resourceVersion among the SPC's other SPCPS. */
  private newestRv(set: Map<string, PodStatusRecord>, except: string): number {
    let max = 0;
    for (const [k, r] of set) if (k !== except && r.rv > max) max = r.rv;
    return max;
  }

  get size(): number {
    let n = 0;
    for (const s of this.statuses.values()) n += s.size;
    return n;
  }
}
