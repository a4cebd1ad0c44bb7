/**
 * The test bed's pinned versions and cache layout.
 *
 * Versions live in versions.env (one place, also sourced by install.sh). The
 * cache lives outside the repo:
 *   ${KSEC_TESTBED_CACHE:-~/.cache/ksec-testbed}/<tool>-<version>/<binary>
 *   ${cache}/bin-<sha256(versions.env)[:12]>/   symlinks to every tool (on PATH)
 *   ${cache}/run/                               state.json, logs, certs of the running bed
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TESTBED_DIR = dirname(fileURLToPath(import.meta.url));
export const VERSIONS_FILE = join(TESTBED_DIR, 'versions.env');

export interface Versions {
  KUBERNETES_VERSION: string;
  ETCD_VERSION: string;
  SEALED_SECRETS_VERSION: string;
  SOPS_VERSION: string;
  AGE_VERSION: string;
  HELM_VERSION: string;
  KUSTOMIZE_VERSION: string;
  KUBECONFORM_VERSION: string;
  GITLEAKS_VERSION: string;
  MOTO_VERSION: string;
  RELOADER_VERSION: string;
  PRE_COMMIT_VERSION: string;
  LOCAL_ACTION_VERSION: string;
}

const REQUIRED: (keyof Versions)[] = [
  'KUBERNETES_VERSION',
  'ETCD_VERSION',
  'SEALED_SECRETS_VERSION',
  'SOPS_VERSION',
  'AGE_VERSION',
  'HELM_VERSION',
  'KUSTOMIZE_VERSION',
  'KUBECONFORM_VERSION',
  'GITLEAKS_VERSION',
  'MOTO_VERSION',
  'RELOADER_VERSION',
  'PRE_COMMIT_VERSION',
  'LOCAL_ACTION_VERSION',
];

export function readVersions(text: string = readFileSync(VERSIONS_FILE, 'utf8')): Versions {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z0-9_]+)=([^\s#]+)$/.exec(line);
    if (!m) throw new Error(`versions.env: cannot parse line: ${line}`);
    out[m[1]!] = m[2]!;
  }
  for (const k of REQUIRED) if (!out[k]) throw new Error(`versions.env: ${k} missing`);
  return out as unknown as Versions;
}

export const versions: Versions = readVersions();

export function cacheDir(): string {
  return process.env['KSEC_TESTBED_CACHE'] || join(homedir(), '.cache', 'ksec-testbed');
}

/** The directory of tool symlinks put on PATH; keyed by the versions file content (like install.sh). */
export function toolsDir(): string {
  const sha = createHash('sha256').update(readFileSync(VERSIONS_FILE)).digest('hex').slice(0, 12);
  return join(cacheDir(), `bin-${sha}`);
}

export function runDir(): string {
  return join(cacheDir(), 'run');
}

export function stateFile(): string {
  return join(runDir(), 'state.json');
}

/** Binaries the bed provides on PATH. */
export const TOOLS = [
  'kube-apiserver',
  'kube-controller-manager',
  'etcd',
  'kubeseal',
  'controller',
  'sops',
  'age',
  'age-keygen',
  'helm',
  'kustomize',
  'kubeconform',
  'gitleaks',
  'moto_server',
  'reloader',
] as const;
export type Tool = (typeof TOOLS)[number];

/**
 * The versions of the daemons a running bed consists of. A bed started by a checkout whose
 * versions.env differs only in CLI tools (e.g. a branch adding a peer) is still the same bed:
 * it is reused, and each checkout takes its CLI tools from its own tools dir.
 */
export const DAEMON_VERSIONS = ['KUBERNETES_VERSION', 'ETCD_VERSION', 'SEALED_SECRETS_VERSION', 'MOTO_VERSION'] as const satisfies readonly (keyof Versions)[];

export function sealedSecretsCrd(): string {
  return join(cacheDir(), `sealed-secrets-${versions.SEALED_SECRETS_VERSION}`, 'bitnami.com_sealedsecrets.yaml');
}
