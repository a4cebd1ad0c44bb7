/**
 * dotenv as sops reads and writes it: `KEY=value` lines and `#` comments,
 * no quoting or trimming, `\n` in a value is a newline. The sops metadata sits in `sops_*` keys, flattened with
 * `__list_N__map_` for nested lists and maps.
 */
import { KsecError } from '../errors.js';
import type { SopsMap } from './tree.js';
import { goFormatFloatF, goFormatFloatG } from '../go/strconv.js';

/** sops's ValToString for floats: %G, with a `.0` added when it would read as an int. */
function goFloatG(x: number): string {
  const g = goFormatFloatG(x).toUpperCase();
  if (g.includes('.') || g.includes('E') || !Number.isFinite(x)) return g === 'NAN' ? 'NaN' : g.replace('INF', 'Inf');
  return goFormatFloatF(x) + '.0';
}

export interface DotenvDocument {
  branch: SopsMap;
  /** the `sops_*` entries, unflattened */
  metadata: Record<string, unknown> | undefined;
}

/** sops's line-based reader: empty lines skipped, `#` lines are comments, else KEY=value split at the first `=`. */
export function parseDotenvTree(text: string, file: string): DotenvDocument {
  const branch: SopsMap = { kind: 'map', items: [] };
  const flat = Object.create(null) as Record<string, string>; // keys from input
  text.split('\n').forEach((line, i) => {
    if (line.length === 0) return;
    if (line[0] === '#') {
      branch.items.push({ kind: 'comment', value: line.slice(1), line: i + 1 });
      return;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new KsecError(`invalid dotenv line ${i + 1}: no =`, { file, hint: 'every line is KEY=value or a # comment' });
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).replace(/\\n/g, '\n');
    if (key.startsWith('sops_')) flat[key.slice(5)] = value;
    else branch.items.push({ kind: 'item', key, value: { kind: 'str', value, line: i + 1 }, line: i + 1 });
  });
  return { branch, metadata: Object.keys(flat).length ? unflatten(flat) : undefined };
}

/** Reverses sops's Flatten: `a__list_0__map_b` -> { a: [ { b } ] }. */
export function unflatten(flat: Record<string, string>): Record<string, unknown> {
  const root = Object.create(null) as Record<string, unknown>; // keys from input
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split(/(__list_\d+__map_|__list_\d+)/);
    let node: Record<string, unknown> | unknown[] = root;
    let name: string | number = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      const m = /__list_(\d+)(__map_)?/.exec(parts[i]!)!;
      const isMapNext = Boolean(m[2]);
      const container = (node as Record<string, unknown>)[name as string] ?? [];
      (node as Record<string, unknown>)[name as string] = container;
      const list = container as unknown[];
      const index = Number(m[1]);
      if (isMapNext) {
        list[index] ??= Object.create(null);
        node = list[index] as Record<string, unknown>;
        name = parts[i + 1] ?? '';
      } else {
        node = list;
        name = index;
      }
    }
    (node as Record<string | number, unknown>)[name] = value;
  }
  return root;
}

/** The dotenv text sops prints: `KEY=value` with newlines as `\n`, comments as `#text`. */
export function emitDotenvTree(branch: SopsMap, file?: string): string {
  let out = '';
  for (const item of branch.items) {
    if (item.kind === 'comment') {
      out += `#${item.value}\n`;
      continue;
    }
    const v = item.value;
    let text: string;
    switch (v.kind) {
      case 'str':
        text = v.value;
        break;
      case 'int':
        text = v.value;
        break;
      case 'bool':
        text = String(v.value);
        break;
      case 'float':
        text = goFloatG(v.value);
        break;
      case 'time':
        text = v.value.replace(/\.\d+/, '');
        break;
      case 'null':
        text = '<nil>';
        break;
      case 'bytes':
        text = v.value.toString('utf8');
        break;
      default:
        throw new KsecError(`cannot write a nested value (${item.key}) as dotenv`, { file, hint: 'use -o yaml or -o json' });
    }
    out += `${item.key}=${text.replace(/\n/g, '\\n')}\n`;
  }
  return out;
}
