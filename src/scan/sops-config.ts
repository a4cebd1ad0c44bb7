/**
 * The repository's `.sops.yaml`: a file whose path matches a creation rule's
 * `path_regex` is one sops would encrypt, so it must be committed
 * encrypted. The rules travel as plain strings (scan workers get a copy);
 * each thread compiles them once.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { isRecord } from '../manifest/objects.js';
import { goRegExp } from '../sops/rules.js';

/** The creation rules' path regexes and where the scan's paths sit relative to the `.sops.yaml`. */
export interface SopsCreationRules {
  /** the `.sops.yaml` found, for messages */
  file: string;
  /** Go (RE2) regexes of the rules that have a path_regex */
  pathRegexes: string[];
  /** the scan root relative to the config's directory ('' when the same), '/'-separated */
  prefix: string;
}

const NAMES = ['.sops.yaml', '.sops.yml'];

/**
 * The `.sops.yaml` sops would use for files under `root`: the first one in
 * `root` or a directory above it (sops looks upwards from where it runs).
 * Undefined when there is none, it does not parse or it has no path_regex.
 */
export async function loadSopsCreationRules(root: string): Promise<SopsCreationRules | undefined> {
  for (let dir = root; ; dir = dirname(dir)) {
    for (const name of NAMES) {
      const file = join(dir, name);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined) return rulesOf(text, file, relative(dir, root));
    }
    if (dirname(dir) === dir) return undefined;
  }
}

async function rulesOf(text: string, file: string, prefix: string): Promise<SopsCreationRules | undefined> {
  // sops reads .sops.yaml with go-yaml v3 (YAML 1.2), not as the cluster reads manifests (YAML 1.1)
  const { QUIET_PARSE, yamlLib } = await import('../manifest/yaml-lib.js');
  let config: unknown;
  try {
    const doc = yamlLib().parseDocument(text, { ...QUIET_PARSE, uniqueKeys: true });
    if (doc.errors.length > 0) return undefined; // sops itself refuses it; not the scan's to report
    config = doc.toJS({ maxAliasCount: 1000 });
  } catch {
    return undefined;
  }
  const rules = isRecord(config) && Array.isArray(config.creation_rules) ? config.creation_rules : [];
  const pathRegexes = rules.flatMap((r) => (isRecord(r) && typeof r.path_regex === 'string' && r.path_regex !== '' ? [r.path_regex] : []));
  if (pathRegexes.length === 0) return undefined;
  return { file, pathRegexes, prefix: sep === '/' ? prefix : prefix.split(sep).join('/') };
}

const compiled = new WeakMap<SopsCreationRules, RegExp[]>();

/** Whether sops would encrypt the file at `path` (a display path, relative to the scan root). */
export function sopsWouldEncrypt(rules: SopsCreationRules, path: string): boolean {
  let regexes = compiled.get(rules);
  if (!regexes) {
    regexes = rules.pathRegexes.flatMap((r) => {
      try {
        return [goRegExp(r)];
      } catch {
        return []; // not a regex sops could use either
      }
    });
    compiled.set(rules, regexes);
  }
  const full = rules.prefix === '' ? path.replace(/^\.\//, '') : `${rules.prefix}/${path.replace(/^\.\//, '')}`;
  return regexes.some((r) => r.test(full));
}
