/**
 * Reloader's annotation semantics, pure: given a workload's annotations and
 * references and the ConfigMaps/Secrets of its namespace, which configs
 * trigger it, and given their hashes and what the workload has recorded,
 * whether to do nothing, record a baseline, or roll it.
 *
 * Per config type (ConfigMap, Secret; SecretProviderClass with --enable-csi-integration,
 * see csi.ts), the annotations come from the
 * workload's metadata when it has any relevant one for that type, otherwise
 * from its pod template (Reloader's order). Then, for each candidate config:
 * `reloader.stakater.com/ignore: "true"` on the config skips it; the
 * exclude lists (read from the workload's metadata only, as Reloader does)
 * skip it; an entry of `configmap|secret.reloader.stakater.com/reload`
 * (comma list, each a regex anchored as Reloader does: "^" + entry + "$")
 * includes it even when not referenced; a referenced config is included by
 * `search: "true"` + its `match: "true"`, by `auto`/typed auto true (parsed
 * like Go's strconv.ParseBool), or by --auto-reload-all when neither auto
 * annotation has a value (Reloader's rule: any value, even an invalid one,
 * opts out of --auto-reload-all).
 *
 * The records hold these annotations under the default keys below; a watcher
 * started with Reloader's annotation-key override flags maps the configured
 * keys onto them when it reduces objects (state.ts), so this module never
 * sees the overrides.
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
  /** on an Argo Rollout's metadata: "restart" sets spec.restartAt instead of changing the template */
  rolloutStrategy: 'reloader.stakater.com/rollout-strategy',
  /** Secrets Store CSI (with --enable-csi-integration): Reloader's fixed keys, no override flag */
  spcAuto: 'secretproviderclass.reloader.stakater.com/auto',
  spcReload: 'secretproviderclass.reloader.stakater.com/reload',
  spcExclude: 'secretproviderclasses.exclude.reloader.stakater.com/reload',
} as const;

/** The annotation keys Reloader's command line can override (state.ts reads, patches.ts writes these). */
export type AnnotationKeys = { -readonly [K in keyof typeof ANN]: string };

/** Reloader's defaults. */
export const DEFAULT_KEYS: AnnotationKeys = { ...ANN };

/**
 * Go's strconv.ParseBool, which Reloader applies to the auto annotations:
 * 1, t, T, TRUE, true, True are true; 0, f, F, FALSE, false, False are false;
 * anything else is undefined (Reloader: an error, read as false).
 */
export function parseGoBool(v: string | undefined): boolean | undefined {
  switch (v) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}

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
  ANN.rolloutStrategy,
  ANN.spcAuto,
  ANN.spcReload,
  ANN.spcExclude,
];

/** SecretProviderClass: a Secrets Store CSI class, hashed from its pod statuses (csi.ts) */
export type ConfigKind = 'ConfigMap' | 'Secret' | 'SecretProviderClass';

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
  /** the container each STAKATER_* variable is on (name → container) */
  envContainers?: Record<string, string>;
  /**
   * The container Reloader would put a config's variable on (`Kind/name` → container): the one
   * mounting it, else the one referencing it in env/envFrom; used only in an init container: the
   * first container. Configs no container uses are absent (the first container gets theirs).
   */
  users?: Record<string, string>;
  /** first container of the pod template (new variables of unused configs go there) */
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
  /** --enable-csi-integration: SecretProviderClasses trigger too */
  csi?: boolean;
}

const TYPED = {
  ConfigMap: { reload: ANN.configmapReload, auto: ANN.configmapAuto, exclude: ANN.configmapExclude },
  Secret: { reload: ANN.secretReload, auto: ANN.secretAuto, exclude: ANN.secretExclude },
  SecretProviderClass: { reload: ANN.spcReload, auto: ANN.spcAuto, exclude: ANN.spcExclude },
} as const;

/** The config kinds in play: ConfigMaps and Secrets, and SecretProviderClasses with CSI integration. */
export function configKinds(options: Pick<PolicyOptions, 'csi'>): readonly ConfigKind[] {
  return options.csi ? ['ConfigMap', 'Secret', 'SecretProviderClass'] : ['ConfigMap', 'Secret'];
}

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
  return configKinds(options).some((kind) => hasRelevant(w.annotations, kind) || hasRelevant(w.podAnnotations, kind));
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
    // Reloader: regexp.MustCompile("^" + value + "$"): concatenated, not grouped, so "a|b"
    // means "^a" or "b$", exactly as there. Unicode mode first (closest to RE2), else plain.
    try {
      patterns.push({ source, regex: new RegExp(`^${source}$`, 'u') });
    } catch {
      try {
        patterns.push({ source, regex: new RegExp(`^${source}$`) });
      } catch (err) {
        errors.push(`invalid regex ${JSON.stringify(source)}: ${(err as Error).message}`);
      }
    }
  }
  const result = { patterns, errors };
  if (regexCache.size > 10_000) regexCache.clear();
  regexCache.set(value, result);
  return result;
}

/** The exclude lists come from the workload's metadata only (Reloader reads them before its pod-template fallback). */
function excluded(w: WorkloadRecord, kind: ConfigKind, name: string): boolean {
  const list = w.annotations[TYPED[kind].exclude];
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
  for (const kind of configKinds(options)) {
    const a = annotationsFor(w, kind);
    const t = TYPED[kind];
    const chosen = new Map<string, ConfigRecord>();
    const consider = (c: ConfigRecord | undefined) => {
      if (!c || c.ignore || chosen.has(c.name) || excluded(w, kind, c.name)) return;
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
    const autoOn = parseGoBool(auto) === true || parseGoBool(typedAuto) === true;
    const searchOn = a[ANN.search] === 'true';
    const allOn = options.autoReloadAll && !auto && !typedAuto;
    for (const v of [auto, typedAuto]) {
      if (v && parseGoBool(v) === undefined) warnings.push(`annotation value ${JSON.stringify(v)} is not a boolean (true, false, 1, 0, t, f, ...); read as false`);
    }
    const search = a[ANN.search];
    if (search !== undefined && search !== 'true' && search !== 'false') warnings.push(`annotation value ${JSON.stringify(search)} is neither "true" nor "false"; read as false`);
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

const ENV_SUFFIX: Record<ConfigKind, string> = { ConfigMap: 'CONFIGMAP', Secret: 'SECRET', SecretProviderClass: 'SECRETPROVIDERCLASS' };

/** Is this `Kind` one of the config kinds? */
export function isConfigKind(kind: string): kind is ConfigKind {
  return kind in ENV_SUFFIX;
}

/** `STAKATER_<NAME>_CONFIGMAP|SECRET|SECRETPROVIDERCLASS`, Reloader's env var naming. */
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
  return `STAKATER_${out}_${ENV_SUFFIX[kind]}`;
}

export type Strategy = 'annotations' | 'env-vars';

export type Decision =
  | { action: 'none'; hash: string }
  /** first meeting: record the hash on the metadata, do not roll */
  | { action: 'baseline'; hash: string }
  /**
   * env: STAKATER_* variables to set (name → value); envContainers: the container each goes on;
   * removeEnv: variables to remove (env-vars with --reload-on-delete, as Reloader removes them)
   */
  | { action: 'roll'; hash: string; env?: Record<string, string>; envContainers?: Record<string, string>; removeEnv?: string[] };

/** The workload's desired hash over its triggers (ksec hashes; Reloader hashes for env-vars). */
export function desiredHash(configs: readonly ConfigRecord[], strategy: Strategy): string {
  return combinedHash(
    configs.map((c) => ({ kind: c.kind, name: c.name, hash: strategy === 'env-vars' ? (c.reloaderHash ?? c.hash) : c.hash })),
  );
}

/**
 * What to do with a workload. A first meeting (nothing recorded by ksec) never rolls, except in
 * the env-vars strategy when a STAKATER_* variable that Reloader (or ksec) set disagrees with its
 * config's current hash: that config changed while nobody watched. A variable that is absent means
 * its config never changed under Reloader (Reloader adds one only on a change), so it is current:
 * a workload Reloader stamped for some configs and not others is adopted without a rollout.
 */
export function decide(w: WorkloadRecord, configs: readonly ConfigRecord[], strategy: Strategy): Decision {
  const hash = desiredHash(configs, strategy);
  if (w.recorded === hash || w.stamp === hash) return { action: 'none', hash };
  if (strategy === 'env-vars') {
    const stale: Record<string, string> = {};
    const envContainers: Record<string, string> = {};
    let changed = false;
    for (const c of configs) {
      const name = reloaderEnvName(c.kind, c.name);
      const want = c.reloaderHash ?? c.hash;
      const have = w.env[name];
      if (have === want) continue;
      if (have !== undefined) changed = true;
      stale[name] = want;
      const container = w.envContainers?.[name] ?? w.users?.[`${c.kind}/${c.name}`] ?? w.firstContainer;
      if (container !== undefined) envContainers[name] = container;
    }
    if (Object.keys(stale).length === 0) return { action: 'baseline', hash }; // every variable current: adopt
    if (w.recorded === undefined && !changed) return { action: 'baseline', hash };
    return { action: 'roll', hash, env: stale, envContainers };
  }
  if (w.recorded === undefined && w.stamp === undefined) return { action: 'baseline', hash };
  return { action: 'roll', hash };
}

/**
 * A roll for changes seen live (`changed`: `Kind/name` of each config, possibly followed by a
 * note such as " deleted"): only those configs' variables are set, as Reloader sets one variable
 * per change. A variable left stale on purpose (its config changed while it was ignored or
 * excluded) stays as Reloader leaves it. Without a live change (a full pass after a start or a
 * leadership gain) nobody knows which configs changed, and every stale variable is set.
 */
export function onlyChanged(d: Extract<Decision, { action: 'roll' }>, w: WorkloadRecord, changed: readonly string[]): Extract<Decision, { action: 'roll' }> {
  if (!d.env) return d;
  const names = new Set<string>();
  for (const c of changed) {
    const ref = c.split(' ')[0]!;
    const slash = ref.indexOf('/');
    const kind = ref.slice(0, slash);
    if (isConfigKind(kind)) names.add(reloaderEnvName(kind, ref.slice(slash + 1)));
  }
  const env: Record<string, string> = {};
  const envContainers: Record<string, string> = {};
  for (const [name, value] of Object.entries(d.env)) {
    if (!names.has(name)) continue;
    env[name] = value;
    if (d.envContainers?.[name] !== undefined) envContainers[name] = d.envContainers[name];
  }
  return { ...d, env, envContainers };
}

/**
 * env-vars with --reload-on-delete: Reloader answers a deleted config by removing its variable
 * from the workload (a rollout), and does nothing when the workload has none. `changed` holds the
 * live changes (`Kind/name deleted` for deletions). The decision for the remaining configs may be
 * a baseline (their variables are current); it becomes a roll that removes the variables.
 */
export function withDeletions(d: Exclude<Decision, { action: 'none' }>, w: WorkloadRecord, changed: readonly string[]): Exclude<Decision, { action: 'none' }> {
  const remove: string[] = [];
  for (const c of changed) {
    if (!c.endsWith(' deleted')) continue;
    const ref = c.slice(0, -' deleted'.length);
    const slash = ref.indexOf('/');
    const kind = ref.slice(0, slash);
    if (!isConfigKind(kind)) continue;
    const name = reloaderEnvName(kind, ref.slice(slash + 1));
    if (name in w.env) remove.push(name);
  }
  if (remove.length === 0) return d;
  const roll: Extract<Decision, { action: 'roll' }> = d.action === 'roll' ? { ...d } : { action: 'roll', hash: d.hash, env: {} };
  roll.removeEnv = [...(roll.removeEnv ?? []), ...remove];
  return roll;
}
