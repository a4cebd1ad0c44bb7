/**
 * Where age identities come from, in sops's order: `--age-key-file` (ksec's
 * flag), SOPS_AGE_KEY (keys inline), SOPS_AGE_KEY_FILE, and the default
 * `$XDG_CONFIG_HOME/sops/age/keys.txt` (`~/.config/sops/age/keys.txt`), which
 * may be absent. All found identities are tried, as sops does.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KsecError, fileError } from '../errors.js';
import { parseIdentities, type AgeIdentity } from './age.js';
import { readUserText } from '../user-file.js';

export interface IdentitySources {
  /** files named on the command line */
  keyFiles?: string[];
  /** environment (default: process.env) */
  env?: NodeJS.ProcessEnv;
}

export interface FoundIdentities {
  identities: AgeIdentity[];
  /** where ksec looked, for the "no identity" message */
  searched: string[];
  /** lines that were skipped (plugins, malformed keys); never the line's text */
  warnings: string[];
}

export function defaultKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'sops', 'age', 'keys.txt');
}

export async function findIdentities(sources: IdentitySources = {}): Promise<FoundIdentities> {
  const env = sources.env ?? process.env;
  const found: FoundIdentities = { identities: [], searched: [], warnings: [] };
  const add = (text: string, source: string) => {
    const parsed = parseIdentities(text, source);
    found.identities.push(...parsed.identities);
    for (const s of parsed.skipped) found.warnings.push(`${source}: line ${s.line} skipped: ${s.reason}`);
  };
  for (const file of sources.keyFiles ?? []) {
    found.searched.push(file);
    add(await readUserText(file), file);
  }
  if (env.SOPS_AGE_KEY) {
    found.searched.push('SOPS_AGE_KEY');
    add(env.SOPS_AGE_KEY, 'SOPS_AGE_KEY');
  }
  if (env.SOPS_AGE_KEY_FILE) {
    found.searched.push(env.SOPS_AGE_KEY_FILE);
    try {
      add(await readUserText(env.SOPS_AGE_KEY_FILE), env.SOPS_AGE_KEY_FILE);
    } catch (err) {
      throw err instanceof KsecError
        ? new KsecError(`SOPS_AGE_KEY_FILE: ${err.message}`, { file: env.SOPS_AGE_KEY_FILE, hint: err.hint })
        : err;
    }
  }
  const fallback = defaultKeyFile(env);
  found.searched.push(fallback);
  try {
    add(await readFile(fallback, 'utf8'), fallback);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fileError(err, fallback);
  }
  return found;
}

