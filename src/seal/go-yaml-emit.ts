/**
 * A direct YAML emitter for the common SealedSecret, printing exactly what
 * layout.ts's renderer (the `yaml` package tuned to go-yaml v2's output)
 * prints, without loading the package: `ksec seal -o yaml` of ordinary
 * Secrets never pays its start-up cost.
 *
 * It answers only for shapes and scalars whose printing is fixed and bails
 * (returns undefined) on everything else, so layout.ts falls back to the full
 * renderer:
 * - nested maps, two spaces per level (`key:` then the map; `key: {}` when empty);
 * - keys and string values made only of `A-Z a-z 0-9 . _ / + = : @ -`,
 *   starting with a letter, digit, `_` or `/`, not ending in `:`. Such a string
 *   has no space, so go-yaml never folds its line, and no character that makes a
 *   plain scalar unsafe. It is printed plain, or double-quoted (`"..."`, which
 *   is its JSON form) when it would read back as another type (readsAsOtherType);
 *   a key that would read as another type bails;
 * - booleans, null and safe integers.
 * Sequences, empty strings, spaces, non-ASCII, long keys and other numbers bail.
 * test/unit/seal/go-yaml-emit.test.ts checks byte equality with the renderer
 * on thousands of random SealedSecrets.
 */
import { isRecord } from '../manifest/objects.js';
import { readsAsOtherType } from '../go/yaml-scalar.js';

const SAFE = /^[A-Za-z0-9_/][A-Za-z0-9._/+=:@-]*$/;
/** the yaml package prints keys longer than this as explicit `? key` entries */
const MAX_KEY = 128;

/** The document (`---` and the body) for sortKeysDeep's output (Maps in go-yaml order), or undefined. */
export function emitGoYaml(sorted: unknown): string | undefined {
  if (!(sorted instanceof Map) || sorted.size === 0) return undefined;
  const out: string[] = ['---\n'];
  return emitMap(sorted, '', out) ? out.join('') : undefined;
}

function emitMap(map: Map<unknown, unknown>, indent: string, out: string[]): boolean {
  for (const [k, v] of map) {
    if (typeof k !== 'string' || k.length > MAX_KEY || !safe(k) || readsAsOtherType(k)) return false;
    if (isRecord(v) && !(v instanceof Map)) return false;
    if (v instanceof Map) {
      if (v.size === 0) {
        out.push(`${indent}${k}: {}\n`);
        continue;
      }
      out.push(`${indent}${k}:\n`);
      if (!emitMap(v, `${indent}  `, out)) return false;
      continue;
    }
    const scalar = scalarText(v);
    if (scalar === undefined) return false;
    out.push(`${indent}${k}: ${scalar}\n`);
  }
  return true;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') {
    if (!safe(v)) return undefined;
    return readsAsOtherType(v) ? `"${v}"` : v;
  }
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

function safe(s: string): boolean {
  return SAFE.test(s) && !s.endsWith(':');
}
