/**
 * `ksec seal`'s flags -> one typed plan, a mode each. Every check that needs
 * only the flags is made here, before a certificate is loaded or an input
 * read.
 */
import { KsecError } from '../errors.js';
import { STDIN, type ManifestFormat } from '../manifest/read.js';
import { formatFromPath, parseFormat } from '../manifest/write.js';
import type { ControllerRef } from '../seal/controller-api.js';
import type { KubeconfigContext } from '../seal/default-namespace.js';
import { parseScope, type SealingScope } from '../seal/scope.js';
import type { NamedCertificateSource, TargetCertificates } from '../seal/targets.js';
import { controllerRef, type ControllerFlags } from './shared-flags.js';

/** The flags of src/cli/seal.ts. */
export interface SealFlags extends ControllerFlags {
  cert?: string[];
  fetchCert?: boolean;
  validate?: boolean;
  reEncrypt?: boolean;
  inPlace?: boolean;
  secretFile?: string[];
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
  fromSops?: string[];
  ageKeyFile?: string[];
  verbose?: boolean;
}

export type SealPlan = FetchCertPlan | ValidateOnlinePlan | ReencryptOnlinePlan | RawPlan | MergeIntoPlan | SealSecretsPlan | SealFromSopsPlan;

/** Where a single result (a certificate, a raw value) goes: -w or stdout. */
export type SingleOutput = { to: 'stdout' } | { to: 'file'; path: string };

/** How each Secret is sealed (sealed-secret.ts prepareSeal). */
export interface SecretOptions {
  /** --scope: overrides the inputs' scope annotations */
  scope?: SealingScope;
  name?: string;
  namespace?: string;
  allowEmptyData?: boolean;
}

/** --fetch-cert: print or write the certificate (from --cert, else the controller's) and stop. */
export interface FetchCertPlan {
  mode: 'fetch-cert';
  certificate: TargetCertificates;
  output: SingleOutput;
}

/** --validate: the controller says whether it can decrypt each SealedSecret (POST /v1/verify). */
export interface ValidateOnlinePlan {
  mode: 'validate';
  controller: ControllerRef;
  /** SealedSecret files, directories or '-' */
  inputs: string[];
  /** -n: namespace for SealedSecrets that name none */
  namespace?: string;
}

/**
 * --re-encrypt: the controller re-seals each SealedSecret with its newest key (POST /v1/rotate).
 * Output: -w FILE, or --in-place (the input file), else stdout. (kubeseal rewrites `-f FILE` in
 * place without being asked; ksec keeps one meaning per flag and says so on stderr.)
 */
export interface ReencryptOnlinePlan {
  mode: 're-encrypt';
  controller: ControllerRef;
  /** one SealedSecret file or '-' */
  input: string;
  namespace?: string;
  /** `from`: the input file that kubeseal would have rewritten in place */
  output: { to: 'stdout'; format: ManifestFormat; from?: string } | { to: 'file'; path: string; format: ManifestFormat };
}

/** --raw: one value sealed to its base64 ciphertext. */
export interface RawPlan {
  mode: 'raw';
  /** one certificate */
  certificates: TargetCertificates;
  scope: SealingScope;
  name?: string;
  namespace?: string;
  /** set when the namespace is the kubeconfig context's (not cluster-wide, no -n) */
  namespaceFrom?: KubeconfigContext;
  value: { from: 'file'; path: string } | { from: 'stdin' };
  output: SingleOutput;
}

/** --merge-into FILE: the input's one Secret re-sealed into the SealedSecret in FILE, in place. */
export interface MergeIntoPlan {
  mode: 'merge-into';
  /** one certificate */
  certificates: TargetCertificates;
  /** Secret files, directories or '-' */
  inputs: string[];
  path: string;
  scope?: SealingScope;
  name?: string;
  allowEmptyData?: boolean;
  /** -o as given, for a file that is re-printed (JSON); checked only then (merge-into-file.ts) */
  format?: string;
}

/** Secrets from files, directories or stdin, sealed for every certificate. */
export interface SealSecretsPlan {
  mode: 'seal';
  certificates: TargetCertificates;
  /** Secret files, directories or '-' */
  inputs: string[];
  secrets: SecretOptions;
  /** where the namespace of Secrets without one (and no -n) comes from */
  namespaceFrom: KubeconfigContext;
  output: SealedOutput;
  /** -v: name every file written */
  verbose?: boolean;
}

export type SealedOutput =
  /** one input (a file or stdin) and one certificate: stdout, as kubeseal; an input that is a directory is sealed beside its files instead */
  | { to: 'stdout'; format: ManifestFormat; directoryFormat: ManifestFormat }
  /** -w PATH: one file per certificate, `{cluster}` in PATH replaced by its name */
  | { to: 'file'; path: string; format: ManifestFormat }
  /** --output-dir DIR: one file per input under DIR (DIR/<cluster> with several certificates) */
  | { to: 'output-dir'; dir: string; format: ManifestFormat }
  /** one file per input, beside it */
  | { to: 'beside-inputs'; format: ManifestFormat };

/** --from-sops: SOPS-encrypted Secrets decrypted in memory and sealed for every certificate. */
export interface SealFromSopsPlan {
  mode: 'from-sops';
  certificates: TargetCertificates;
  files: string[];
  ageKeyFiles?: string[];
  secrets: SecretOptions;
  /** where the namespace of Secrets without one (and no -n) comes from */
  namespaceFrom: KubeconfigContext;
  output: { to: 'stdout'; format: ManifestFormat } | { to: 'file'; path: string; format: ManifestFormat };
}

export function planSeal(inputs: string[], flags: SealFlags): SealPlan {
  if (flags.inPlace && !flags.reEncrypt) {
    throw new KsecError('--in-place only applies to --re-encrypt', { hint: 'to update some keys of a SealedSecret file in place: --merge-into FILE' });
  }
  if (flags.validate || flags.reEncrypt) return planOnline(inputs, flags);
  if (flags.fromSops) return planFromSops(inputs, flags, flags.fromSops);
  checkCombinations(inputs, flags);
  const certs = flags.cert ?? [];
  if (flags.fetchCert) {
    return {
      mode: 'fetch-cert',
      certificate: certs.length > 0 ? { from: 'sources', sources: [parseCertSpec(certs[0]!)] } : { from: 'controller', controller: controllerRef(flags) },
      output: singleOutput(flags),
    };
  }
  const scope = flags.scope === undefined ? undefined : parseScope(flags.scope);
  const certificates = targetCertificates(flags);
  if (flags.raw) return planRaw(flags, scope, certificates);

  const explicit = [...(flags.secretFile ?? []), ...inputs];
  const paths = explicit.length > 0 ? explicit : [STDIN];
  if (flags.mergeInto) {
    return {
      mode: 'merge-into',
      certificates,
      inputs: paths,
      path: flags.mergeInto,
      scope,
      name: flags.name,
      allowEmptyData: flags.allowEmptyData,
      format: flags.format,
    };
  }
  return {
    mode: 'seal',
    certificates,
    inputs: paths,
    secrets: { scope, name: flags.name, namespace: flags.namespace, allowEmptyData: flags.allowEmptyData },
    namespaceFrom: { kubeconfig: flags.kubeconfig, context: flags.context },
    output: sealedOutput(flags, explicit, paths, several(certificates)),
    ...(flags.verbose ? { verbose: true } : {}),
  };
}

/** --validate / --re-encrypt: SealedSecrets in, the controller decides; no certificate, no sealing flags. */
function planOnline(inputs: string[], flags: SealFlags): ValidateOnlinePlan | ReencryptOnlinePlan {
  const mode = flags.validate ? '--validate' : '--re-encrypt';
  if (flags.validate && flags.reEncrypt) throw new KsecError('--validate and --re-encrypt exclude each other', { hint: 'run one, then the other' });
  const other = (
    [
      ['--cert', flags.cert?.length],
      ['--fetch-cert', flags.fetchCert],
      ['--raw', flags.raw],
      ['--from-file', flags.fromFile?.length],
      ['--merge-into', flags.mergeInto],
      ['--from-sops', flags.fromSops?.length],
      ['--output-dir', flags.outputDir],
      ['--scope', flags.scope],
      ['--name', flags.name],
    ] as const
  ).find(([, set]) => set);
  if (other) {
    throw new KsecError(`${mode} asks the controller in the cluster and does not take ${other[0]}`, {
      hint: flags.validate ? 'offline, with a certificate or private keys: ksec validate' : 'offline, with a certificate: ksec reencrypt',
    });
  }
  const explicit = [...(flags.secretFile ?? []), ...inputs];
  const controller = controllerRef(flags);
  if (flags.validate) {
    if (flags.sealedSecretFile) throw new KsecError('--validate writes nothing: -w does not apply', { hint: 'drop -w' });
    return { mode: 'validate', controller, inputs: explicit.length > 0 ? explicit : [STDIN], namespace: flags.namespace };
  }
  if (explicit.length > 1) {
    throw new KsecError('--re-encrypt takes one SealedSecret file (or stdin)', { hint: 'for a tree, run it per file, or re-encrypt offline with ksec reencrypt' });
  }
  const input = explicit[0] ?? STDIN;
  if (flags.inPlace && (input === STDIN || flags.sealedSecretFile)) {
    throw new KsecError(flags.sealedSecretFile ? '--in-place and -w do not combine' : '--in-place needs a SealedSecret file (-f FILE), not stdin', {
      hint: 'ksec seal --re-encrypt -f sealed/db.yaml --in-place',
    });
  }
  const path = flags.inPlace ? input : flags.sealedSecretFile;
  const output: ReencryptOnlinePlan['output'] = path
    ? { to: 'file', path, format: flags.format ? format(flags.format) : formatFromPath(path, 'json') }
    : { to: 'stdout', format: flags.format ? format(flags.format) : 'json', ...(input === STDIN ? {} : { from: input }) };
  return { mode: 're-encrypt', controller, input, namespace: flags.namespace, output };
}

function checkCombinations(inputs: string[], flags: SealFlags): void {
  const usage = (message: string, hint: string) => new KsecError(message, { hint });
  if (flags.fromFile?.length && !flags.raw) throw usage('--from-file requires --raw', 'ksec seal --raw --from-file FILE --name N -n NS');
  if (flags.raw && (inputs.length > 0 || flags.secretFile?.length)) throw usage('--raw takes its value from --from-file or stdin, not -f', 'drop -f');
  if (flags.raw && flags.mergeInto) throw usage('--raw and --merge-into do not combine', 'use one of them');
  if (flags.outputDir && flags.sealedSecretFile) throw usage('-w and --output-dir do not combine', 'use one of them');
  if ((flags.cert?.length ?? 0) > 1 && (flags.mergeInto || flags.raw || flags.fetchCert)) {
    throw usage('several --cert only work when sealing Secrets', 'pass one --cert with --raw, --merge-into or --fetch-cert');
  }
}

/** --cert (repeatable, `NAME=SOURCE` or a source), else the controller through the Kubernetes API. */
function targetCertificates(flags: SealFlags): TargetCertificates {
  const specs = flags.cert ?? [];
  if (specs.length === 0) return { from: 'controller', controller: controllerRef(flags) };
  const sources = specs.map(parseCertSpec);
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.cluster)) {
      throw new KsecError(`two --cert share the cluster name "${s.cluster}"`, { hint: 'name them: --cert prod=prod.pem --cert stage=stage.pem' });
    }
    seen.add(s.cluster);
  }
  return { from: 'sources', sources };
}

const several = (certificates: TargetCertificates) => certificates.from === 'sources' && certificates.sources.length > 1;

/** `NAME=SOURCE`, or SOURCE named after its file name without extension. */
function parseCertSpec(spec: string): NamedCertificateSource {
  const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.+)$/.exec(spec);
  return m ? { cluster: m[1]!, source: m[2]! } : { cluster: clusterNameOf(spec), source: spec };
}

function clusterNameOf(source: string): string {
  const last = source.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? 'cluster';
  return last.replace(/\.(pem|crt|cert)$/i, '') || 'cluster';
}

const format = (value: string) => parseFormat(value) as ManifestFormat;

const singleOutput = (flags: SealFlags): SingleOutput => (flags.sealedSecretFile ? { to: 'file', path: flags.sealedSecretFile } : { to: 'stdout' });

function planRaw(flags: SealFlags, scope: SealingScope | undefined, certificates: TargetCertificates): RawPlan {
  const from = flags.fromFile ?? [];
  if (from.length > 1) throw new KsecError('must provide only one --from-file when encrypting a single item with --raw', { hint: 'seal one value per run' });
  const effective = scope ?? 'strict';
  // --from-file [key=]file: the key names nothing for a raw value
  const path = from[0]?.includes('=') ? from[0].slice(from[0].indexOf('=') + 1) : from[0];
  return {
    mode: 'raw',
    certificates,
    scope: effective,
    name: flags.name,
    namespace: flags.namespace,
    namespaceFrom: effective !== 'cluster-wide' && !flags.namespace ? { kubeconfig: flags.kubeconfig, context: flags.context } : undefined,
    value: path === undefined ? { from: 'stdin' } : { from: 'file', path },
    output: singleOutput(flags),
  };
}

function sealedOutput(flags: SealFlags, explicit: string[], paths: string[], several: boolean): SealedOutput {
  const w = flags.sealedSecretFile;
  if (w) {
    if (several && !w.includes('{cluster}')) {
      throw new KsecError('several --cert need a {cluster} placeholder in -w', { hint: 'e.g. -w sealed/{cluster}/db.yaml, or use --output-dir' });
    }
    return { to: 'file', path: w, format: flags.format ? format(flags.format) : formatFromPath(w, 'json') };
  }
  if (!flags.outputDir && !several && explicit.length <= 1) {
    return { to: 'stdout', format: flags.format ? format(flags.format) : 'json', directoryFormat: flags.format ? format(flags.format) : 'yaml' };
  }
  if (paths.includes(STDIN)) {
    throw new KsecError(several ? 'several --cert need -w or --output-dir' : 'stdin with other inputs needs -w', {
      hint: 'e.g. -w sealed/{cluster}/secret.yaml, or --output-dir sealed/',
    });
  }
  const fileFormat = flags.format ? format(flags.format) : 'yaml';
  return flags.outputDir ? { to: 'output-dir', dir: flags.outputDir, format: fileFormat } : { to: 'beside-inputs', format: fileFormat };
}

function planFromSops(inputs: string[], flags: SealFlags, files: string[]): SealFromSopsPlan {
  if (inputs.length > 0 || flags.secretFile?.length || flags.raw || flags.mergeInto || flags.fetchCert || flags.outputDir) {
    throw new KsecError('--from-sops does not combine with other inputs, --raw, --merge-into, --fetch-cert or --output-dir', {
      hint: 'seal SOPS files in their own run: ksec seal --from-sops FILE --cert CERT [-w OUT]',
    });
  }
  const scope = flags.scope === undefined ? undefined : parseScope(flags.scope);
  const certificates = targetCertificates(flags);
  const w = flags.sealedSecretFile;
  let output: SealFromSopsPlan['output'];
  if (!w) {
    if (several(certificates)) throw new KsecError('several --cert need -w with a {cluster} placeholder', { hint: 'e.g. -w sealed/{cluster}/db.yaml' });
    output = { to: 'stdout', format: flags.format ? format(flags.format) : 'json' };
  } else {
    if (several(certificates) && !w.includes('{cluster}')) {
      throw new KsecError('several --cert need a {cluster} placeholder in -w', { hint: 'e.g. -w sealed/{cluster}/db.yaml' });
    }
    output = { to: 'file', path: w, format: flags.format ? format(flags.format) : formatFromPath(w, 'json') };
  }
  return {
    mode: 'from-sops',
    certificates,
    files,
    ageKeyFiles: flags.ageKeyFile,
    secrets: { scope, name: flags.name, namespace: flags.namespace, allowEmptyData: flags.allowEmptyData },
    namespaceFrom: { kubeconfig: flags.kubeconfig, context: flags.context },
    output,
  };
}
