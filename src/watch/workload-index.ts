/**
 * The workloads the reflectors hold (compact records), keyed `Kind/namespace/name`,
 * indexed by the configs they reference (`namespace/Kind/name`) and, per namespace,
 * the workloads with an explicit `*.reloader.stakater.com/reload` list (which may
 * name any config, so every config change there concerns them).
 */
import type { ConfigKind, WorkloadRecord } from './policy.js';

export class WorkloadIndex {
  private readonly workloads = new Map<string, WorkloadRecord>();
  private readonly byRef = new Map<string, Set<string>>();
  private readonly explicit = new Map<string, Set<string>>();

  get size(): number {
    return this.workloads.size;
  }

  get(key: string): WorkloadRecord | undefined {
    return this.workloads.get(key);
  }

  entries(): IterableIterator<[string, WorkloadRecord]> {
    return this.workloads.entries();
  }

  /** Replaces `previous` (as indexed) by `current`; no `current`: the workload is gone. */
  update(key: string, previous: WorkloadRecord | undefined, current: WorkloadRecord | undefined): void {
    this.index(key, previous, false);
    if (current) {
      this.workloads.set(key, current);
      this.index(key, current, true);
    } else {
      this.workloads.delete(key);
    }
  }

  /** The workloads a change of config kind/name in namespace may concern. */
  candidates(namespace: string, kind: ConfigKind, name: string): Set<string> {
    return new Set<string>([...(this.byRef.get(`${namespace}/${kind}/${name}`) ?? []), ...(this.explicit.get(namespace) ?? [])]);
  }

  private index(key: string, w: WorkloadRecord | undefined, add: boolean): void {
    if (!w) return;
    for (const ref of w.refs) {
      const k = `${w.namespace}/${ref}`;
      let set = this.byRef.get(k);
      if (add) {
        if (!set) this.byRef.set(k, (set = new Set()));
        set.add(key);
      } else if (set) {
        set.delete(key);
        if (set.size === 0) this.byRef.delete(k);
      }
    }
    const hasExplicit = Object.keys(w.annotations)
      .concat(Object.keys(w.podAnnotations))
      .some((a) => a.endsWith('.reloader.stakater.com/reload') && !a.includes('exclude'));
    let set = this.explicit.get(w.namespace);
    if (add && hasExplicit) {
      if (!set) this.explicit.set(w.namespace, (set = new Set()));
      set.add(key);
    } else if (!add && set) {
      set.delete(key);
    }
  }
}
