/**
 * Discovery for `eso generate`: which AWS Secrets Manager secrets live under
 * some name prefixes, and the shape (JSON keys, plain string, binary) of
 * each one's current value. Values never leave src/eso/aws.ts; only shapes
 * come back. The AWS SDK loads on the first call, not with this module.
 *
 * Two steps, so a caller can report the first's warnings before the second
 * runs: listAwsSecrets, then readAwsSources. discoverAwsSecrets does both.
 */
import { sourceFromShape, type SecretSource } from './generate.js';
import type { AwsOptions, AwsSession, AwsStats, ListedSecret } from './aws.js';
import type { SsmSession } from './ssm.js';

/**
 * Progress of a step: `done` secrets so far; `total` is undefined while
 * listing (the count is not known in advance) and the number of listed
 * secrets while reading their values.
 */
export type DiscoverProgress = (done: number, total?: number) => void;

export interface Listed {
  /** every secret under the prefixes, once each, sorted by name (code-unit order) */
  secrets: ListedSecret[];
  /** `no secrets found under "PREFIX"` for each empty prefix, when more than one prefix is given */
  warnings: string[];
}

/** The secrets under each prefix (ListSecrets, scheduled deletions left out). */
export async function listAwsSecrets(session: AwsSession, prefixes: readonly string[], onProgress?: DiscoverProgress): Promise<Listed> {
  const { listSecrets } = await import('./aws.js');
  const listed = new Map<string, ListedSecret>();
  const warnings: string[] = [];
  let done = 0;
  for (const prefix of prefixes) {
    const found = await listSecrets(session, prefix, onProgress && ((n) => onProgress((done += n))));
    if (found.length === 0 && prefixes.length > 1) warnings.push(`no secrets found under "${prefix}"`);
    for (const s of found) listed.set(s.arn, s);
  }
  const secrets = [...listed.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { secrets, warnings };
}

export interface ReadSources {
  /** one per secret still readable, in the order of `secrets` */
  sources: SecretSource[];
  /** `skipped NAME: REASON` for each secret deleted (or scheduled for deletion) since it was listed */
  warnings: string[];
}

/**
 * The source of each listed secret, from the shape of its value
 * (BatchGetSecretValue); `flatten`: one key per nested JSON leaf.
 */
export async function readAwsSources(
  session: AwsSession,
  secrets: readonly ListedSecret[],
  options: { flatten?: boolean; onProgress?: DiscoverProgress } = {},
): Promise<ReadSources> {
  const { readShapes } = await import('./aws.js');
  const { onProgress } = options;
  let done = 0;
  const { shapes, skipped } = await readShapes(session, secrets, onProgress && ((n) => onProgress((done += n), secrets.length)));
  const sources: SecretSource[] = [];
  for (const s of secrets) {
    const shape = shapes.get(s.arn);
    if (shape) sources.push(sourceFromShape(s.name, shape, options.flatten ?? false));
  }
  return { sources, warnings: skipped.map((s) => `skipped ${s.name}: ${s.reason}`) };
}

export interface DiscoverOptions {
  /** region, profile, endpoint; unset ones come from the SDK's usual chain */
  aws?: AwsOptions;
  /** list only (what `--mode find` needs): no value is read and `sources` is empty */
  namesOnly?: boolean;
  /** one key per nested JSON leaf (property `a.b`) instead of per top-level key */
  flatten?: boolean;
  onProgress?: DiscoverProgress;
}

export interface Discovered {
  /** names of the secrets found under the prefixes, sorted */
  names: string[];
  sources: SecretSource[];
  /** AWS API calls and HTTP requests made */
  stats: AwsStats;
  warnings: string[];
}

/**
 * Lists the secrets under each prefix and, unless `namesOnly`, the shape of
 * their values. Finding no secret at all is not an error here: `names` is empty.
 */
export async function discoverAwsSecrets(prefixes: readonly string[], options: DiscoverOptions = {}): Promise<Discovered> {
  const { openSession } = await import('./aws.js');
  const session = await openSession(options.aws);
  const listed = await listAwsSecrets(session, prefixes, options.onProgress);
  const names = listed.secrets.map((s) => s.name);
  if (options.namesOnly || listed.secrets.length === 0) return { names, sources: [], stats: session.stats, warnings: listed.warnings };
  const read = await readAwsSources(session, listed.secrets, options);
  return { names, sources: read.sources, stats: session.stats, warnings: [...listed.warnings, ...read.warnings] };
}

export interface ParameterSources {
  /** names of the parameters found under the paths, sorted, once each */
  names: string[];
  /** with `readShapes`: one source per parameter, in the order of `names` */
  sources: SecretSource[];
  /** `no parameters found under "PATH"` for each empty path, when more than one path is given */
  warnings: string[];
}

/**
 * Parameter Store: the parameters below each path (GetParametersByPath,
 * recursive) and, with `readShapes`, a source for each from the shape of its
 * value. `paths` are already normalised (ssm.ts parameterPath).
 */
export async function listAwsParameters(
  session: SsmSession,
  paths: readonly string[],
  options: { readShapes: boolean; flatten?: boolean; onProgress?: DiscoverProgress },
): Promise<ParameterSources> {
  const { listParameters } = await import('./ssm.js');
  const found = new Map<string, import('./ssm.js').ListedParameter>();
  const warnings: string[] = [];
  let done = 0;
  for (const path of paths) {
    const params = await listParameters(session, path, { readShapes: options.readShapes, onPage: options.onProgress && ((n) => options.onProgress!((done += n))) });
    if (params.length === 0 && paths.length > 1) warnings.push(`no parameters found under "${path}"`);
    for (const p of params) found.set(p.name, p);
  }
  const listed = [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sources = options.readShapes ? listed.map((p) => sourceFromShape(p.name, p.shape ?? { type: 'string' }, options.flatten ?? false)) : [];
  return { names: listed.map((p) => p.name), sources, warnings };
}
