/**
 * Which kubeconfig files apply, as kubectl decides: --kubeconfig, else every
 * file in KUBECONFIG (path-list order), else ~/.kube/config. Read with the
 * manifest reader, whose fast path reads a usual kubeconfig without loading
 * the yaml package (start-up of `ksec seal`).
 */
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KsecError, isKsecError } from '../errors.js';
import { parseManifestText } from '../manifest/read.js';

export function kubeconfigFiles(explicit?: string): string[] {
  if (explicit) return [explicit];
  const env = process.env['KUBECONFIG']?.split(delimiter).filter(Boolean) ?? [];
  return env.length > 0 ? env : [join(homedir(), '.kube', 'config')];
}

/** A kubeconfig's content as plain data; undefined when it cannot be read or parsed. */
export async function readKubeconfig(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value = parseManifestText(await readFile(file, 'utf8'), file, 'yaml').documents[0]?.value;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The manifest reader's error for a kubeconfig file that exists but does not
 * parse (file, line, column and the problem, never the text); undefined when
 * it parses or cannot be read (the loader reports that).
 */
export async function kubeconfigSyntaxError(file: string): Promise<KsecError | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    parseManifestText(text, file, 'yaml');
    return undefined;
  } catch (err) {
    if (isKsecError(err)) return err;
    return new KsecError('malformed YAML', { file });
  }
}

/**
 * True when a default configuration exists: KUBERNETES_SERVICE_HOST is set (in a pod), or one of
 * the default kubeconfig files exists. When false, client-node's loadFromDefault() falls back to
 * http://localhost:8080.
 */
export async function defaultConfigExists(): Promise<boolean> {
  if (process.env['KUBERNETES_SERVICE_HOST']) return true;
  for (const file of kubeconfigFiles()) {
    if (await access(file).then(() => true, () => false)) return true;
  }
  return false;
}
