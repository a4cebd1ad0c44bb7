/**
 * `ksec seal`: the flags of src/cli/seal.ts -> certificates, Secrets, sealed
 * output. Steps, each its own function so other inputs (e.g. --from-sops) can
 * plug in: loadCertificates -> collectSecrets -> sealAll -> write.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { KsecError, fileError } from '../errors.js';
import { kubeconfigFiles, readKubeconfig } from '../kube/kubeconfig-files.js';
import { renderEditedYaml, setString } from '../manifest/edit.js';
import { isSealedSecret, isSecret, objectRef, type SealedSecret, type Secret } from '../manifest/objects.js';
import { expandPaths, objectsOf, readManifestFile, readStdin, STDIN, type ManifestFile, type ManifestFormat } from '../manifest/read.js';
import { formatFromPath, parseFormat, writeFileAtomic, writeFilesAtomic, type FileToWrite } from '../manifest/write.js';
import { writeStdout } from '../terminal/output.js';
import { interactive } from '../terminal/style.js';
import { note, progress } from '../terminal/messages.js';
import { fetchControllerCertificate, fetchControllerCertificatePem, loadCertificate, type SealingCertificate } from './cert.js';
import { renderSealedSecrets } from './layout.js';
import { openSealQueue, type SealQueue, type Ticket } from './pool.js';
import { parseScope, type SealingScope } from './scope.js';
import { finishSeal, mergeInto, prepareSeal, sealRaw, type SealPlan } from './sealed-secret.js';

export interface SealFlags {
  cert?: string[];
  fetchCert?: boolean;
  controllerName?: string;
  controllerNamespace?: string;
  kubeconfig?: string;
  context?: string;
  file?: string[];
  format?: string;
  sealedSecretFile?: string;
  outputDir?: string;
  name?: string;
  namespace?: string;
  scope?: string;
  raw?: boolean;
  fromFile?: string[];
  mergeInto?: string;
  allowEmptyData?: boolean;
}

/** A cluster to seal for: its name (from `name=cert`, or the cert file name when several) and certificate. */
export interface Target {
  cluster: string;
  cert: SealingCertificate;
}

/** Secrets read from one input file ('-' for stdin). */
export interface SecretSource {
  file: string;
  /** the directory argument it was found under, for --output-dir layout */
  root?: string;
  secrets: Secret[];
}

export async function runSeal(inputs: string[], flags: SealFlags): Promise<void> {
  checkCombinations(inputs, flags);
  if (flags.fetchCert) return runFetchCert(flags);
  const scope = flags.scope === undefined ? undefined : parseScope(flags.scope);
  const targets = await loadCertificates(flags);
  if (flags.raw) return runRaw(flags, scope, targets);

  const explicit = [...(flags.file ?? []), ...inputs];
  const paths = explicit.length > 0 ? explicit : [STDIN];
  if (flags.mergeInto) return runMerge(flags, scope, targets[0]!, await collectSecrets(paths));

  // the pool encrypts each file's values while the next files are read, and while earlier ones are rendered
  const sealing = startSealing(targets, { ...flags, scope, defaultNamespace: await defaultNamespace(flags) });
  try {
    const sources = await collectSecrets(paths, (source) => sealing.add(source));
    await writeOutputs(sources, targets, sealing, flags, explicit);
  } finally {
    sealing.close();
  }
}

function checkCombinations(inputs: string[], flags: SealFlags): void {
  const usage = (message: string, hint: string) => new KsecError(message, { hint });
  if (flags.fromFile?.length && !flags.raw) throw usage('--from-file requires --raw', 'ksec seal --raw --from-file FILE --name N -n NS');
  if (flags.raw && (inputs.length > 0 || flags.file?.length)) throw usage('--raw takes its value from --from-file or stdin, not -f', 'drop -f');
  if (flags.raw && flags.mergeInto) throw usage('--raw and --merge-into do not combine', 'use one of them');
  if (flags.outputDir && flags.sealedSecretFile) throw usage('-w and --output-dir do not combine', 'use one of them');
  if ((flags.cert?.length ?? 0) > 1 && (flags.mergeInto || flags.raw || flags.fetchCert)) {
    throw usage('several --cert only work when sealing Secrets', 'pass one --cert with --raw, --merge-into or --fetch-cert');
  }
}

/** --cert (repeatable, `name=source` or a source) or the controller through the kube API. */
export async function loadCertificates(flags: SealFlags): Promise<Target[]> {
  const specs = flags.cert ?? [];
  if (specs.length === 0) {
    const cert = await fetchControllerCertificate(controllerRef(flags));
    return [{ cluster: 'default', cert }];
  }
  const parsed = specs.map(parseCertSpec);
  const seen = new Set<string>();
  for (const p of parsed) {
    if (seen.has(p.cluster)) {
      throw new KsecError(`two --cert share the cluster name "${p.cluster}"`, { hint: 'name them: --cert prod=prod.pem --cert stage=stage.pem' });
    }
    seen.add(p.cluster);
  }
  return Promise.all(parsed.map(async (p) => ({ cluster: p.cluster, cert: await loadCertificate(p.source) })));
}

/** `NAME=SOURCE`, or SOURCE named after its file name without extension. */
function parseCertSpec(spec: string): { cluster: string; source: string } {
  const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.+)$/.exec(spec);
  return m ? { cluster: m[1]!, source: m[2]! } : { cluster: clusterNameOf(spec), source: spec };
}

function clusterNameOf(source: string): string {
  const last = source.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? 'cluster';
  return last.replace(/\.(pem|crt|cert)$/i, '') || 'cluster';
}

function controllerRef(flags: SealFlags) {
  return {
    controllerName: flags.controllerName,
    controllerNamespace: flags.controllerNamespace,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
  };
}

async function runFetchCert(flags: SealFlags): Promise<void> {
  const cert = flags.cert?.[0];
  const pem = cert
    ? (await loadCertificate(parseCertSpec(cert).source, { allowExpired: true })).pem
    : (await fetchControllerCertificatePem(controllerRef(flags))).pem;
  if (flags.sealedSecretFile) await writeFileAtomic(flags.sealedSecretFile, pem);
  else await writeStdout(pem);
}

/**
 * Every Secret in the inputs. A file named explicitly must hold only Secrets;
 * in a directory, files without a Secret and earlier `*.sealed.*` outputs are
 * skipped.
 */
const READ_AHEAD = 8;

export async function collectSecrets(inputs: string[], onSource?: (source: SecretSource) => void): Promise<SecretSource[]> {
  const sources: SecretSource[] = [];
  for (const input of inputs) {
    if (input === STDIN && interactive() && process.stdin.isTTY) note('(tty detected: expecting json/yaml k8s resource in stdin)');
    const files = input === STDIN ? [STDIN] : await expandPaths([input]);
    const fromDir = files.length !== 1 || files[0] !== input;
    const paths = fromDir ? files.filter((path) => !/\.sealed\.(ya?ml|json)$/i.test(path)) : files;
    // a few reads ahead, so file I/O waits overlap (results are still taken, and fail, in order)
    const reads: Promise<ManifestFile>[] = [];
    const readAhead = (i: number) => {
      if (i >= paths.length || reads[i]) return;
      reads[i] = readManifestFile(paths[i]!);
      reads[i]!.catch(() => {}); // awaited below in order; this only stops an unhandled rejection
    };
    for (let i = 0; i < paths.length; i++) {
      for (let j = i; j < i + READ_AHEAD; j++) readAhead(j);
      const source = secretsIn(await reads[i]!, fromDir);
      delete reads[i];
      if (!source) continue;
      sources.push(fromDir ? { ...source, root: input } : source);
      onSource?.(sources[sources.length - 1]!);
    }
  }
  if (sources.length === 0) {
    throw new KsecError('no Secret found in the input', { file: inputs.join(', '), hint: 'pass Secret manifests (kind: Secret, apiVersion: v1)' });
  }
  return sources;
}

function secretsIn(file: ManifestFile, lenient: boolean): SecretSource | undefined {
  const objects = objectsOf([file]).map((o) => o.object);
  const secrets = objects.filter(isSecret);
  if (lenient && secrets.length === 0) return undefined;
  for (const o of objects) {
    if (!isSecret(o)) {
      throw new KsecError(`${objectRef(o)} is not a Secret (kind ${o.kind})`, {
        file: file.path,
        hint: 'ksec seal takes Secret manifests (apiVersion: v1, kind: Secret)',
      });
    }
    if ('sops' in o) {
      throw new KsecError(`${objectRef(o)} is SOPS-encrypted`, { file: file.path, hint: 'decrypt it first (ksec sops decrypt), or seal with --from-sops' });
    }
  }
  if (secrets.length === 0) throw new KsecError('no Secret in the file', { file: file.path, hint: 'ksec seal takes Secret manifests' });
  return { file: file.path, secrets };
}

/** Namespace for Secrets without one: the kubeconfig context's (read, not loaded), else "default" — as kubeseal does. */
async function defaultNamespace(flags: SealFlags): Promise<string> {
  const config = (await readKubeconfig(kubeconfigFiles(flags.kubeconfig)[0]!)) as
    | { 'current-context'?: string; contexts?: { name?: string; context?: { namespace?: string } }[] }
    | undefined;
  const name = flags.context ?? config?.['current-context'];
  return config?.contexts?.find((c) => c?.name === name)?.context?.namespace || 'default';
}

type SealDefaults = Omit<SealFlags, 'scope'> & { scope?: SealingScope; defaultNamespace: string };

/** sealed[t][s][i]: target t, source s, secret i. */
export async function sealAll(sources: SecretSource[], targets: Target[], options: SealDefaults): Promise<SealedSecret[][][]> {
  const sealing = startSealing(targets, options);
  try {
    for (const source of sources) sealing.add(source);
    const out: SealedSecret[][][] = [];
    for (let t = 0; t < targets.length; t++) {
      const row: SealedSecret[][] = [];
      for (let s = 0; s < sources.length; s++) row.push(await sealing.sealed(t, s));
      out.push(row);
    }
    return out;
  } finally {
    sealing.close();
  }
}

/** Sources sealed for every target as they are added; sealed(t, s) waits for (and helps with) the RSA work of one. */
export interface Sealing {
  add(source: SecretSource): void;
  sealed(target: number, source: number): Promise<SealedSecret[]>;
  close(): void;
}

export function startSealing(targets: Target[], options: SealDefaults): Sealing {
  const bar = progress('sealing values');
  const queue: SealQueue = openSealQueue({ onProgress: (n) => bar.tick(n) });
  // pending[t][s]: the plans of source s for target t and the pool ticket of their values
  const pending: { plans: SealPlan[]; ticket: Ticket<string> }[][] = targets.map(() => []);
  return {
    add(source) {
      targets.forEach((target, t) => {
        const plans = source.secrets.map((secret) =>
          prepareSeal(secret, {
            scope: options.scope,
            name: options.name,
            namespace: options.namespace,
            defaultNamespace: options.defaultNamespace,
            allowEmptyData: options.allowEmptyData,
            file: source.file,
          }),
        );
        const jobs = plans.flatMap((plan) => plan.items.map((item) => ({ plaintext: item.plaintext, label: plan.label })));
        pending[t]!.push({ plans, ticket: queue.submit(target.cert.publicKey, jobs) });
      });
    },
    async sealed(t, s) {
      const { plans, ticket } = pending[t]![s]!;
      const ciphertexts = await queue.result(ticket);
      let next = 0;
      return plans.map((plan) => finishSeal(plan, ciphertexts.slice(next, (next += plan.items.length))));
    },
    close() {
      queue.close();
      bar.done();
    },
  };
}

async function writeOutputs(
  sources: SecretSource[],
  targets: Target[],
  sealing: Sealing,
  flags: SealFlags,
  explicit: string[],
): Promise<void> {
  const several = targets.length > 1;
  // rendered one source at a time, so the pool keeps sealing the next ones meanwhile
  const renderAll = async (t: number, format: ManifestFormat) => {
    let text = '';
    for (let s = 0; s < sources.length; s++) text += renderSealedSecrets(await sealing.sealed(t, s), format);
    return text;
  };
  const w = flags.sealedSecretFile;
  if (w) {
    if (several && !w.includes('{cluster}')) {
      throw new KsecError('several --cert need a {cluster} placeholder in -w', { hint: 'e.g. -w sealed/{cluster}/db.yaml, or use --output-dir' });
    }
    const format = flags.format ? (parseFormat(flags.format) as ManifestFormat) : formatFromPath(w, 'json');
    const files: FileToWrite[] = [];
    for (let t = 0; t < targets.length; t++) files.push({ path: w.replaceAll('{cluster}', targets[t]!.cluster), content: await renderAll(t, format) });
    await writeFiles(files);
    return;
  }
  const toStdout = !flags.outputDir && !several && explicit.length <= 1 && sources.length === 1 && !sources[0]!.root;
  if (toStdout) {
    const format = (flags.format ? parseFormat(flags.format) : 'json') as ManifestFormat;
    await writeStdout(await renderAll(0, format));
    return;
  }
  if (sources.some((s) => s.file === STDIN)) {
    throw new KsecError(several ? 'several --cert need -w or --output-dir' : 'stdin with other inputs needs -w', {
      hint: 'e.g. -w sealed/{cluster}/secret.yaml, or --output-dir sealed/',
    });
  }
  const format = (flags.format ? parseFormat(flags.format) : 'yaml') as ManifestFormat;
  const paths = targets.map((target) => sources.map((source) => outputPath(source, target, several, format, flags.outputDir)));
  const seen = new Set<string>();
  for (const path of paths.flat()) {
    if (seen.has(path)) throw new KsecError('two inputs would be sealed to the same file', { file: path, hint: 'rename one input, or seal them separately' });
    seen.add(path);
  }
  const files: FileToWrite[] = [];
  for (let t = 0; t < targets.length; t++) {
    for (let s = 0; s < sources.length; s++) files.push({ path: paths[t]![s]!, content: renderSealedSecrets(await sealing.sealed(t, s), format) });
  }
  await writeFiles(files);
}

/** `<base>.sealed.yaml` beside the input (`<base>.<cluster>.sealed.yaml` for several certs), or under --output-dir[/<cluster>] keeping the path below the directory argument. */
function outputPath(source: SecretSource, target: Target, several: boolean, format: ManifestFormat, outputDir?: string): string {
  const base = basename(source.file, extname(source.file));
  const ext = format === 'json' ? 'json' : 'yaml';
  if (outputDir) {
    const rel = source.root ? dirname(relative(source.root, source.file)) : '.';
    return join(outputDir, several ? target.cluster : '', rel, `${base}.sealed.${ext}`);
  }
  return join(dirname(source.file), several ? `${base}.${target.cluster}.sealed.${ext}` : `${base}.sealed.${ext}`);
}

async function writeFiles(files: FileToWrite[]): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  for (const dir of new Set(files.map((f) => dirname(f.path)))) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw fileError(err, dir, 'create directory');
    }
  }
  await writeFilesAtomic(files);
  if (interactive()) for (const f of files) note(`wrote ${f.path}`);
}

async function runRaw(flags: SealFlags, scope: SealingScope | undefined, targets: Target[]): Promise<void> {
  const from = flags.fromFile ?? [];
  if (from.length > 1) throw new KsecError('must provide only one --from-file when encrypting a single item with --raw', { hint: 'seal one value per run' });
  let data: Buffer;
  if (from.length === 1) {
    const path = from[0]!.includes('=') ? from[0]!.slice(from[0]!.indexOf('=') + 1) : from[0]!;
    try {
      data = await readFile(path);
    } catch (err) {
      throw fileError(err, path);
    }
  } else {
    if (process.stdin.isTTY) note('(tty detected: expecting a secret to encrypt in stdin)');
    data = Buffer.from(await readStdin(), 'utf8');
  }
  const effective = scope ?? 'strict';
  const namespace = effective === 'cluster-wide' ? flags.namespace : flags.namespace || (await defaultNamespace(flags));
  const out = sealRaw(data, { publicKey: targets[0]!.cert.publicKey, scope: effective, name: flags.name, namespace });
  data.fill(0);
  if (flags.sealedSecretFile) await writeFileAtomic(flags.sealedSecretFile, out);
  else await writeStdout(out);
}

/**
 * --merge-into FILE: re-seal only the input's keys into the SealedSecret in
 * FILE. YAML files are edited in place (comments, order and every other
 * ciphertext kept); JSON files are re-printed in kubeseal's layout.
 */
async function runMerge(flags: SealFlags, scope: SealingScope | undefined, target: Target, sources: SecretSource[]): Promise<void> {
  const path = flags.mergeInto!;
  const secrets = sources.flatMap((s) => s.secrets.map((secret) => ({ secret, file: s.file })));
  if (secrets.length !== 1) throw new KsecError(`--merge-into takes one Secret, the input has ${secrets.length}`, { hint: 'merge one Secret at a time' });
  const { secret, file } = secrets[0]!;
  const existingFile = await readManifestFile(path);
  const candidates = existingFile.documents.filter((d) => isSealedSecret(d.value));
  const doc =
    candidates.length === 1 ? candidates[0] : candidates.find((d) => (d.value as SealedSecret).metadata?.name === (flags.name || secret.metadata?.name));
  if (!doc) {
    throw new KsecError(candidates.length === 0 ? 'no SealedSecret in the file' : 'several SealedSecrets in the file and none has the input\'s name', {
      file: path,
      hint: 'merge into a file holding the SealedSecret to update',
    });
  }
  const existing = doc.value as SealedSecret;
  const { sealed: merged, updatedKeys } = mergeInto(existing, secret, {
    publicKey: target.cert.publicKey,
    scope,
    allowEmptyData: flags.allowEmptyData,
    file,
    existingFile: path,
  });
  let text: string;
  if (existingFile.format === 'yaml' && doc.yaml) {
    for (const key of updatedKeys) setString(doc.yaml, ['spec', 'encryptedData', key], merged.spec.encryptedData![key]!);
    const meta = merged.spec.template?.metadata ?? {};
    for (const field of ['labels', 'annotations'] as const) {
      for (const [k, v] of Object.entries(meta[field] ?? {})) setString(doc.yaml, ['spec', 'template', 'metadata', field, k], v);
    }
    text = renderEditedYaml(existingFile, new Set([doc.index]));
  } else {
    const format = flags.format ? (parseFormat(flags.format) as ManifestFormat) : existingFile.format;
    text = renderSealedSecrets([merged], format);
  }
  await writeFileAtomic(path, text);
}

