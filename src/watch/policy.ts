/**
 * Reloader's annotation semantics, pure: given a workload's annotations and
 * references and the ConfigMaps/Secrets of its namespace, which configs
 * trigger it, and given their hashes and what the workload has recorded,
 * whether to do nothing, record a baseline, or roll it.
 *
 * Per config type (ConfigMap, Secret), the annotations come from the
 * workload's metadata when it has any relevant one for that type, otherwise
 * from its pod template (Reloader's order). Then, for each candidate config:
 * `reloader.stakater.com/ignore: "true"` on the config skips it; the
 * exclude lists skip it; an entry of `configmap|secret.reloader.stakater.com/reload`
 * (comma list, each an anchored regex) includes it even when not referenced;
 * a referenced config is included by `search: "true"` + its `match: "true"`,
 * by `auto`/typed auto `"true"`, or by --auto-reload-all unless auto is "false".
 */
import { combinedHash } from '../config-hash/stamp.js';

export const ANN = {
  auto: 'reloader.stakater.com/auto',
  configmapAuto: 'configmap.reloader.stakater.com/auto',
  secretAuto: 'secret.reloader.stakater.com/auto',
  configmapReload: 'configmap.reloader.stakater.com/reload',
  secretReload: 'secret.reloader.stakater.com/reload',
  search: 'reloader.stakater.com/search',
  match: 'reloader.stakater.com/match',
  ignore: 'reloader.stakater.com/ignore',
  configmapExclude: 'configmaps.exclude.reloader.stakater.com/reload',
  secretExclude: 'secrets.exclude.reloader.stakater.com/reload',
  pausePeriod: 'deployment.reloader.stakater.com/pause-period',
  pausedAt: 'deployment.reloader.stakater.com/paused-at',
} as const;

/** ksec's own state, kept on the workload in the cluster (see state.ts). */
export const KSEC_ANN = {
  /** pod-template annotation: the hash the running pods were rolled for (changing it rolls) */
  stamp: 'watch.ksec.dev/config-hash',
  /** workload metadata annotation: the hash last seen/rolled (changing it does not roll) */
  recorded: 'watch.ksec.dev/recorded-hash',
} as const;

/** Annotations a workload record keeps (everything else is dropped). */
export const WORKLOAD_ANNOTATIONS: readonly string[] = [
  ANN.auto,
  ANN.configmapAuto,
  ANN.secretAuto,
  ANN.configmapReload,
  ANN.secretReload,
  ANN.search,
  ANN.configmapExclude,
  ANN.secretExclude,
  ANN.pausePeriod,
  ANN.pausedAt,
];

export type ConfigKind = 'ConfigMap' | 'Secret';

export interface ConfigRecord {
  kind: ConfigKind;
  name: string;
  /** ksec canonical sha256 of the content */
  hash: string;
  /** Reloader's hash (env-vars strategy only) */
  reloaderHash?: string;
  ignore: boolean;
  match: boolean;
}

export interface WorkloadRecord {
  kind: string;
  namespace: string;
  name: string;
  /** metadata.uid, so Events show up in `kubectl describe` */
  uid?: string;
  /** reloader annotations on the workload metadata */
  annotations: Record<string, string>;
  /** reloader annotations on the pod template */
  podAnnotations: Record<string, string>;
  /** ConfigMaps/Secrets the pod template uses, `Kind/name` */
  refs: string[];
  /** KSEC_ANN.stamp on the pod template */
  stamp?: string;
  /** KSEC_ANN.recorded on the metadata */
  recorded?: string;
  /** STAKATER_* env vars found in the containers (name → value) */
  env: Record<string, string>;
  /** container that gets new env vars in the env-vars strategy */
  firstContainer?: string;
  paused: boolean;
}

/** The configs of one namespace, as the policy needs them. */
export interface ConfigLookup {
  get(kind: ConfigKind, name: string): ConfigRecord | undefined;
  list(kind: ConfigKind): Iterable<ConfigRecord>;
}

export interface PolicyOptions {
  autoReloadAll: boolean;
}

const TYPED = {
  ConfigMap: { reload: ANN.configmapReload, auto: ANN.configmapAuto, exclude: ANN.configmapExclude },
  Secret: { reload: ANN.secretReload, auto: ANN.secretAuto, exclude: ANN.secretExclude },
} as const;

function hasRelevant(a: Record<string, string>, kind: ConfigKind): boolean {
  const t = TYPED[kind];
  return t.reload in a || ANN.search in a || ANN.auto in a || t.auto in a;
}

/** Reloader's order: workload metadata if it says anything about this type, else the pod template. */
export function annotationsFor(w: WorkloadRecord, kind: ConfigKind): Record<string, string> {
  if (hasRelevant(w.annotations, kind)) return w.annotations;
  if (hasRelevant(w.podAnnotations, kind)) return w.podAnnotations;
  return w.annotations;
}

/** Does ksec manage this workload at all (any relevant annotation, or --auto-reload-all)? */
export function isManaged(w: WorkloadRecord, options: PolicyOptions): boolean {
  if (options.autoReloadAll) return true;
  return hasRelevant(w.annotations, 'ConfigMap') || hasRelevant(w.annotations, 'Secret') ||
    hasRelevant(w.podAnnotations, 'ConfigMap') || hasRelevant(w.podAnnotations, 'Secret');
}

export interface ReloadPattern {
  /** the entry as written */
  source: string;
  /** exact name when the entry has no regex syntax (fast path) */
  literal?: string;
  regex?: RegExp;
}

const regexCache = new Map<string, { patterns: ReloadPattern[]; errors: string[] }>();

/** Parses a reload list: comma separated, trimmed, each an anchored regex; invalid entries are reported and skipped. */
export function parseReloadList(value: string): { patterns: ReloadPattern[]; errors: string[] } {
  const cached = regexCache.get(value);
  if (cached) return cached;
  const patterns: ReloadPattern[] = [];
  const errors: string[] = [];
  for (const raw of value.split(',')) {
    const source = raw.trim();
    if (!source) continue;
    if (/^[a-z0-9-]+$/.test(source)) {
      patterns.push({ source, literal: source });
      continue;
    }
    try {
      patterns.push({ source, regex: new RegExp(`^(?:${source})$`, 'u') });
    } catch (err) {
      errors.push(`invalid regex ${JSON.stringify(source)}: ${(err as Error).message}`);
    }
  }
  const result = { patterns, errors };
  if (regexCache.size > 10_000) regexCache.clear();
  regexCache.set(value, result);
  return result;
}

function excluded(a: Record<string, string>, kind: ConfigKind, name: string): boolean {
  const list = a[TYPED[kind].exclude];
  if (!list) return false;
  return list.split(',').some((n) => n.trim() === name);
}

export interface Triggers {
  configs: ConfigRecord[];
  /** annotation problems to log (the watcher keeps running) */
  warnings: string[];
}

/** The configs whose change rolls this workload. */
export function triggersOf(w: WorkloadRecord, lookup: ConfigLookup, options: PolicyOptions): Triggers {
  const configs: ConfigRecord[] = [];
  const warnings: string[] = [];
  for (const kind of ['ConfigMap', 'Secret'] as const) {
    const a = annotationsFor(w, kind);
    const t = TYPED[kind];
    const chosen = new Map<string, ConfigRecord>();
    const consider = (c: ConfigRecord | undefined) => {
      if (!c || c.ignore || chosen.has(c.name) || excluded(a, kind, c.name)) return;
      chosen.set(c.name, c);
    };
    const reload = a[t.reload];
    if (reload) {
      const { patterns, errors } = parseReloadList(reload);
      for (const e of errors) warnings.push(`${t.reload}: ${e}`);
      const regexes = patterns.filter((p) => p.regex);
      for (const p of patterns) if (p.literal) consider(lookup.get(kind, p.literal));
      if (regexes.length) {
        for (const c of lookup.list(kind)) if (regexes.some((p) => p.regex!.test(c.name))) consider(c);
      }
    }
    const auto = a[ANN.auto];
    const typedAuto = a[t.auto];
    const autoOn = auto === 'true' || typedAuto === 'true';
    const searchOn = a[ANN.search] === 'true';
    const allOn = options.autoReloadAll && auto !== 'false' && typedAuto !== 'false';
    for (const v of [auto, typedAuto, a[ANN.search]]) {
      if (v !== undefined && v !== 'true' && v !== 'false') warnings.push(`annotation value ${JSON.stringify(v)} is neither "true" nor "false"; read as false`);
    }
    if (autoOn || searchOn || allOn) {
      for (const ref of w.refs) {
        const slash = ref.indexOf('/');
        if (ref.slice(0, slash) !== kind) continue;
        const c = lookup.get(kind, ref.slice(slash + 1));
        if (!c) continue;
        if (autoOn || allOn || (searchOn && c.match)) consider(c);
      }
    }
    configs.push(...chosen.values());
  }
  return { configs, warnings };
}

/** `STAKATER_<NAME>_CONFIGMAP|SECRET`, Reloader's env var naming. */
export function reloaderEnvName(kind: ConfigKind, name: string): string {
  let out = '';
  let lastValid = false;
  for (const ch of name.toUpperCase()) {
    if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
      out += ch;
      lastValid = true;
    } else {
      if (lastValid) out += '_';
      lastValid = false;
    }
  }
  return `STAKATER_${out}_${kind === 'ConfigMap' ? 'CONFIGMAP' : 'SECRET'}`;
}

export type Strategy = 'annotations' | 'env-vars';

export type Decision =
  | { action: 'none'; hash: string }
  /** first meeting: record the hash on the metadata, do not roll */
  | { action: 'baseline'; hash: string }
  | { action: 'roll'; hash: string; env?: Record<string, string> };

/** The workload's desired hash over its triggers (ksec hashes; Reloader hashes for env-vars). */
export function desiredHash(configs: readonly ConfigRecord[], strategy: Strategy): string {
  return combinedHash(
    configs.map((c) => ({ kind: c.kind, name: c.name, hash: strategy === 'env-vars' ? (c.reloaderHash ?? c.hash) : c.hash })),
  );
}

export function decide(w: WorkloadRecord, configs: readonly ConfigRecord[], strategy: Strategy): Decision {
  const hash = desiredHash(configs, strategy);
  if (w.recorded === hash || w.stamp === hash) return { action: 'none', hash };
  if (strategy === 'env-vars') {
    const stale: Record<string, string> = {};
    let stamped = false;
    for (const c of configs) {
      const name = reloaderEnvName(c.kind, c.name);
      const want = c.reloaderHash ?? c.hash;
      if (name in w.env) stamped = true;
      if (w.env[name] !== want) stale[name] = want;
    }
    // already stamped by Reloader (or by us) with the current hashes: adopt it
    if (stamped && Object.keys(stale).length === 0) return { action: 'baseline', hash };
    if (w.recorded === undefined && !stamped) return { action: 'baseline', hash };
    return { action: 'roll', hash, env: stale };
  }
  if (w.recorded === undefined && w.stamp === undefined) return { action: 'baseline', hash };
  return { action: 'roll', hash };
}
