/**
 * `ksec eso store` and `ksec eso generate`: flags in, manifests out. The AWS
 * SDK is loaded only when generate discovers secrets (not with --from-spec).
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, KsecError, fileError } from '../errors.js';
import { note, progress, warn, type Progress } from '../terminal/messages.js';
import { renderYaml, toYaml, writeFileAtomic, writeFilesAtomic } from '../manifest/write.js';
import { writeStdout } from '../terminal/output.js';
import { listAwsParameters, listAwsSecrets, readAwsSources } from '../eso/discover.js';
import { formatDrift, manifestDrift } from '../eso/drift.js';
import { QUIET_PARSE, yamlLib } from '../manifest/yaml-lib.js';
import { generateExternalSecrets, GENERATE_MODES, type GeneratedManifest, type SecretSource } from '../eso/generate.js';
import {
  AWS_SERVICES,
  buildKustomization,
  buildSecretStore,
  CREATION_POLICIES,
  DELETION_POLICIES,
  STORE_KINDS,
  type AwsAuth,
  type AwsService,
  type StoreKind,
} from '../eso/manifests.js';
import { parameterPath, SECRET_KEY_PATTERN } from '../eso/naming.js';
import type { AwsOptions, AwsStats } from '../eso/aws.js';
import { apiVersionFlag, dnsName, goDuration, keyValues, namespaceFlag, oneOf, positiveInt } from './eso-options.js';

export interface StoreFlags {
  name: string;
  namespaced?: boolean;
  namespace?: string;
  service: string;
  region?: string;
  role?: string;
  prefix?: string;
  auth: string;
  serviceAccount?: string;
  serviceAccountNamespace?: string;
  audience?: string[];
  secretName?: string;
  secretNamespace?: string;
  accessKeyIdKey: string;
  secretAccessKeyKey: string;
  sessionTokenKey?: string;
  conditionNamespace?: string[];
  conditionNamespaceRegex?: string[];
  conditionSelector?: string[];
  apiVersion: string;
  write?: string;
}

export async function runStore(flags: StoreFlags): Promise<void> {
  const kind: StoreKind = flags.namespaced ? 'SecretStore' : 'ClusterSecretStore';
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new KsecError('no AWS region given', { hint: 'pass --region (ESO needs it in the store)' });
  const authKind = oneOf(flags.auth, ['default', 'irsa', 'secret-ref'] as const, '--auth');
  let auth: AwsAuth = { kind: 'default' };
  if (authKind === 'irsa') {
    if (!flags.serviceAccount) throw new KsecError('--auth irsa needs --service-account NAME', { hint: 'the ServiceAccount annotated with eks.amazonaws.com/role-arn' });
    auth = {
      kind: 'irsa',
      serviceAccount: dnsName(flags.serviceAccount, '--service-account'),
      serviceAccountNamespace: namespaceFlag(flags.serviceAccountNamespace, '--service-account-namespace'),
      audiences: flags.audience,
    };
  } else if (authKind === 'secret-ref') {
    if (!flags.secretName) throw new KsecError('--auth secret-ref needs --secret-name NAME', { hint: 'the Secret holding the access key pair' });
    for (const [flag, key] of [['--access-key-id-key', flags.accessKeyIdKey], ['--secret-access-key-key', flags.secretAccessKeyKey], ['--session-token-key', flags.sessionTokenKey]] as const) {
      if (key !== undefined && !SECRET_KEY_PATTERN.test(key)) throw new KsecError(`${flag} "${key}" is not a valid Secret key`, { hint: 'use letters, digits, -, _ and .' });
    }
    auth = {
      kind: 'secret-ref',
      secretName: dnsName(flags.secretName, '--secret-name'),
      secretNamespace: namespaceFlag(flags.secretNamespace, '--secret-namespace'),
      accessKeyIdKey: flags.accessKeyIdKey,
      secretAccessKeyKey: flags.secretAccessKeyKey,
      sessionTokenKey: flags.sessionTokenKey,
    };
  }
  const conditions = {
    namespaces: (flags.conditionNamespace ?? []).map((n) => namespaceFlag(n, '--condition-namespace')!),
    namespaceRegexes: flags.conditionNamespaceRegex ?? [],
    namespaceSelector: keyValues(flags.conditionSelector, '--condition-selector'),
  };
  const hasConditions = conditions.namespaces.length + conditions.namespaceRegexes.length + Object.keys(conditions.namespaceSelector).length > 0;
  if (kind === 'SecretStore') {
    if (hasConditions) throw new KsecError('conditions apply to a ClusterSecretStore only', { hint: 'drop --namespaced or the --condition-* flags' });
    const crossNamespace = (auth.kind === 'irsa' && auth.serviceAccountNamespace) || (auth.kind === 'secret-ref' && auth.secretNamespace);
    if (crossNamespace) throw new KsecError('a SecretStore can only refer to its own namespace', { hint: 'drop --service-account-namespace / --secret-namespace' });
  } else if (flags.namespace) {
    throw new KsecError('a ClusterSecretStore has no namespace', { hint: 'add --namespaced for a SecretStore' });
  }
  const store = buildSecretStore({
    apiVersion: apiVersionFlag(flags.apiVersion),
    kind,
    name: dnsName(flags.name, '--name'),
    namespace: namespaceFlag(flags.namespace),
    service: oneOf(flags.service, AWS_SERVICES, '--service'),
    region,
    role: flags.role,
    prefix: flags.prefix,
    auth,
    conditions,
  });
  const text = toYaml(store);
  if (flags.write) await writeFileAtomic(flags.write, text);
  else await writeStdout(text);
}

export interface GenerateFlags {
  path?: string[];
  fromSpec?: string;
  store?: string;
  storeKind?: string;
  mode: string;
  apiVersion: string;
  refreshInterval: string;
  creationPolicy: string;
  deletionPolicy: string;
  templateType?: string;
  namespace?: string;
  namespaceFromPath?: string;
  stripPrefix?: boolean;
  flatten?: boolean;
  findRegexp?: string;
  outputDir?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  stats?: boolean;
  /** SecretsManager (default) or ParameterStore, any case */
  service?: string;
  /** compare with the files in outputDir instead of writing them */
  check?: boolean;
}

/**
 * Writes the ExternalSecrets; with `check`, writes nothing and returns 1 when
 * the files in outputDir differ from what would be written (one line per
 * differing file on stdout), 0 when they are current.
 */
export async function runGenerate(flags: GenerateFlags): Promise<number> {
  const mode = oneOf(flags.mode, GENERATE_MODES, '--mode');
  const apiVersion = apiVersionFlag(flags.apiVersion);
  const service: AwsService = oneOf(flags.service ?? 'SecretsManager', AWS_SERVICES, '--service');
  if (flags.fromSpec && flags.path?.length) throw new KsecError('--from-spec and --path cannot be used together', { hint: 'the spec lists the paths' });
  if (!flags.fromSpec && !flags.path?.length) throw new KsecError('nothing to generate from', { hint: 'pass --path PREFIX (repeatable) or --from-spec FILE' });
  if (flags.fromSpec && mode === 'find') throw new KsecError('--mode find reads prefixes, not a spec', { hint: 'use --path PREFIX with --mode find' });
  if (flags.check && !flags.outputDir) throw new KsecError('--check compares with a directory', { hint: 'pass -d DIR, the directory generate wrote' });
  // Parameter Store paths are folders: /myapp/prod/ and /myapp/prod are the same path
  const prefixes = service === 'ParameterStore' ? [...new Set((flags.path ?? []).map(parameterPath))] : (flags.path ?? []);
  // every flag is checked before any AWS call
  const generateOptions = {
    apiVersion,
    mode,
    refreshInterval: goDuration(flags.refreshInterval, '--refresh-interval'),
    creationPolicy: oneOf(flags.creationPolicy, CREATION_POLICIES, '--creation-policy'),
    deletionPolicy: oneOf(flags.deletionPolicy, DELETION_POLICIES, '--deletion-policy'),
    templateType: flags.templateType,
    namespaceFromPath: flags.namespaceFromPath === undefined ? undefined : positiveInt(flags.namespaceFromPath, '--namespace-from-path'),
    prefixes,
    stripPrefix: flags.stripPrefix,
    findRegexp: flags.findRegexp,
  };
  if (flags.store) dnsName(flags.store, '--store');
  if (flags.storeKind) oneOf(flags.storeKind, STORE_KINDS, '--store-kind');
  namespaceFlag(flags.namespace);

  let sources: SecretSource[];
  let specDefaults: { store?: string; storeKind?: string; namespace?: string } = {};
  let stats: AwsStats | undefined;
  if (flags.fromSpec) {
    const { readSpecFile } = await import('../eso/spec.js');
    const spec = await readSpecFile(flags.fromSpec);
    sources = spec.sources;
    specDefaults = spec;
  } else {
    const aws = { region: flags.region, profile: flags.profile, endpoint: flags.endpointUrl };
    const discovered = service === 'ParameterStore'
      ? await discoverParameters(prefixes, mode === 'find', flags.flatten ?? false, aws)
      : await discover(prefixes, mode === 'find', flags.flatten ?? false, aws);
    sources = discovered.sources;
    stats = discovered.stats;
  }

  const storeName = flags.store ?? specDefaults.store;
  if (!storeName) throw new KsecError('no store named', { hint: 'pass --store NAME (the ClusterSecretStore or SecretStore to read through)' });
  const result = generateExternalSecrets(sources, {
    ...generateOptions,
    store: { name: dnsName(storeName, '--store'), kind: oneOf(flags.storeKind ?? specDefaults.storeKind ?? 'ClusterSecretStore', STORE_KINDS, '--store-kind') },
    namespace: namespaceFlag(flags.namespace ?? specDefaults.namespace),
  });
  for (const w of result.warnings) warn(w);
  if (stats && flags.stats) note(`AWS API calls: ${formatStats(stats)}`);
  if (flags.check) return checkDirectory(flags.outputDir!, result.manifests);
  if (flags.outputDir) await writeDirectory(flags.outputDir, result.manifests);
  else await writeStdout(renderYaml(result.manifests.map((m) => m.object)));
  if (flags.outputDir) note(`wrote ${result.manifests.length} ExternalSecret(s) and kustomization.yaml to ${flags.outputDir}`);
  return ExitCode.ok;
}

export function formatStats(stats: AwsStats): string {
  const ops = Object.entries(stats.operations).sort(([a], [b]) => a.localeCompare(b));
  const total = ops.reduce((n, [, c]) => n + c, 0);
  const requests = Object.values(stats.requests).reduce((n, c) => n + c, 0);
  return `${ops.map(([op, c]) => `${op} ${c}`).join(', ')} (${total} calls, ${requests} HTTP requests with retries)`;
}

/**
 * Lists the secrets under each prefix and, unless only names are needed, the
 * shape of their values, with a progress counter for each step and the
 * warnings of each step printed when it ends.
 */
async function discover(prefixes: string[], namesOnly: boolean, flatten: boolean, aws: AwsOptions): Promise<{ sources: SecretSource[]; stats: AwsStats }> {
  const { openSession } = await import('../eso/aws.js');
  const session = await openSession(aws);
  const listing = progress('listing secrets');
  const listed = await listAwsSecrets(session, prefixes, counter(listing));
  listing.done();
  for (const w of listed.warnings) warn(w);
  if (listed.secrets.length === 0) {
    throw new KsecError(`no secrets found under ${prefixes.map((p) => `"${p}"`).join(', ')}`, {
      hint: 'check --path, --region and the account (secrets scheduled for deletion are skipped)',
    });
  }
  if (namesOnly) return { sources: [], stats: session.stats };
  const reading = progress('reading structure', listed.secrets.length);
  const read = await readAwsSources(session, listed.secrets, { flatten, onProgress: counter(reading) });
  reading.done();
  for (const w of read.warnings) warn(w);
  return { sources: read.sources, stats: session.stats };
}

/** Parameter Store: the parameters below each path, with the shape of their values unless only names are needed. */
async function discoverParameters(paths: string[], namesOnly: boolean, flatten: boolean, aws: AwsOptions): Promise<{ sources: SecretSource[]; stats: AwsStats }> {
  const { openSsmSession } = await import('../eso/ssm.js');
  const session = await openSsmSession(aws);
  const listing = progress(namesOnly ? 'listing parameters' : 'reading parameters');
  const found = await listAwsParameters(session, paths, { readShapes: !namesOnly, flatten, onProgress: counter(listing) });
  listing.done();
  for (const w of found.warnings) warn(w);
  if (found.names.length === 0) {
    throw new KsecError(`no parameters found under ${paths.map((p) => `"${p}"`).join(', ')}`, {
      hint: 'check --path (Parameter Store paths are folders: /myapp/prod finds /myapp/prod/db), --region and the account',
    });
  }
  return { sources: found.sources, stats: session.stats };
}

/** A progress callback (`done` so far) that advances a counter by the difference. */
function counter(bar: Progress): (done: number) => void {
  let shown = 0;
  return (done) => {
    bar.tick(done - shown);
    shown = done;
  };
}

/** The files generate writes into a directory: one per ExternalSecret (`NS_NAME.yaml`) and kustomization.yaml. */
function directoryFiles(manifests: readonly GeneratedManifest[]): { file: string; object: unknown }[] {
  // `_` never occurs in a Kubernetes name, so namespace_name.yaml cannot collide
  const files = manifests.map((m) => ({ file: `${m.namespace ? `${m.namespace}_` : ''}${m.name}.yaml`, object: m.object as unknown }));
  files.push({ file: 'kustomization.yaml', object: buildKustomization(files.map((f) => f.file)) });
  return files;
}

/** One file per ExternalSecret plus kustomization.yaml, all written or none. */
export async function writeDirectory(dir: string, manifests: readonly GeneratedManifest[]): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fileError(err, dir, 'create directory');
  }
  await writeFilesAtomic(directoryFiles(manifests).map((f) => ({ path: join(dir, f.file), content: toYaml(f.object) })));
}

/**
 * `--check`: the YAML files of `dir` (top level) against what generate would
 * write there. Prints each difference (file, object, field paths; never a
 * value) and returns 1, or notes that the directory is current and returns 0.
 */
async function checkDirectory(dir: string, manifests: readonly GeneratedManifest[]): Promise<number> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (err) {
    throw fileError(err, dir);
  }
  const committed = new Map<string, unknown>();
  for (const name of names) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (err) {
      throw fileError(err, join(dir, name));
    }
    const doc = yamlLib().parseDocument(text, QUIET_PARSE);
    committed.set(name, doc.errors.length > 0 ? undefined : doc.toJS());
  }
  const drift = manifestDrift(directoryFiles(manifests), committed);
  if (drift.length === 0) {
    note(`${dir} is current: ${manifests.length} ExternalSecret(s) and kustomization.yaml are what generate writes now`);
    return ExitCode.ok;
  }
  await writeStdout(drift.map((d) => `${formatDrift(d)}\n`).join(''));
  note(`${drift.length} file(s) in ${dir} differ from what generate writes now; run the same command without --check to update them`);
  return ExitCode.findings;
}
