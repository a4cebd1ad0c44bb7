/**
 * What a YAML writer must do so that go-yaml v2 under sigs.k8s.io/yaml
 * (kubectl, the API server, kubeseal; YAML 1.1) reads a string back as the same
 * string: the yaml package writes for YAML 1.2 readers, which differ.
 * - Plain only when go-yaml resolves the plain form to that string: not `yes`,
 *   `on`, `y`, `0o17`, `1_000`, `~`, `<<`, ... (src/go/yaml11-resolve.ts).
 * - Some characters cannot stand raw: C0 controls but tab and LF, DEL and the
 *   C1 controls (refused), NEL, U+2028, U+2029 (read as line breaks), U+FEFF,
 *   U+FFFE, U+FFFF (refused). A string holding one is written double-quoted,
 *   with those characters as escapes.
 */
import { resolveGoPlain } from '../go/yaml11-resolve.js';

const NOT_RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
/** the NOT_RAW characters that JSON.stringify and the yaml package leave raw in a double-quoted string (both escape C0) */
const RAW_IN_DOUBLE_QUOTES = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** Whether the string holds a character go-yaml cannot read raw: it must be written double-quoted (escapeForGoYaml). */
export function needsEscapes(value: string): boolean {
  return NOT_RAW.test(value);
}

/** Whether go-yaml would read the plain form of the string as something else (a bool, number, null, merge key). */
export function plainMisreads(value: string): boolean {
  return value === '<<' || resolveGoPlain(value).kind !== 'str';
}

/**
 * Escapes the characters go-yaml cannot read raw, as `\xXX` or `\uXXXX`. Only for text where
 * every such character is inside a double-quoted scalar (there an escape means the same).
 */
export function escapeForGoYaml(doubleQuoted: string): string {
  return doubleQuoted.replace(RAW_IN_DOUBLE_QUOTES, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).toUpperCase()}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}
