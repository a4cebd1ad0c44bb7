/**
 * dotenv as sops reads and writes it: `KEY=value` lines and `#` comments;
 * single- or double-quoted values (only double quotes decode `\n`); unquoted
 * values trimmed. The sops metadata sits in `sops_*` keys, flattened with
 * `__list_N__map_` for nested lists and maps.
 */
import { KsecError } from '../errors.js';
import type { SopsMap } from './tree.js';

const KEY = /^[A-Za-z_]+[A-Za-z0-9_]*$/;
const WS = new Set([' ', '\t', '\r', '\n']);

export interface DotenvDocument {
  branch: SopsMap;
  /** the `sops_*` entries, unflattened */
  metadata: Record<string, unknown> | undefined;
}

export function parseDotenvTree(text: string, file: string): DotenvDocument {
  const branch: SopsMap = { kind: 'map', items: [] };
  const flat: Record<string, string> = {};
  let pos = 0;
  let line = 1;
  const read = (): string | undefined => {
    const c = text[pos++];
    if (c === '\n') line++;
    return c;
  };
  while (pos < text.length) {
    const c = read()!;
    if (WS.has(c)) continue;
    const at = line;
    if (c === '#') {
      let out = '';
      let ws = '';
      for (let b = read(); b !== undefined && b !== '\n'; b = read()) {
        if (WS.has(b)) {
          ws += b;
          continue;
        }
        out += out === '' ? b : ws + b;
        ws = '';
      }
      if (out !== '') branch.items.push({ kind: 'comment', value: out, line: at });
      continue;
    }
    pos--;
    let key = '';
    for (let b = read(); b !== undefined && b !== '='; b = read()) key += b;
    if (!KEY.test(key)) {
      throw new KsecError(`invalid dotenv key at line ${at}`, { file, hint: 'keys are letters, digits and _ (not starting with a digit)' });
    }
    const value = parseValue(read);
    if (key.startsWith('sops_')) flat[key.slice(5)] = value.replace(/\\n/g, '\n');
    else branch.items.push({ kind: 'item', key, value: { kind: 'str', value, line: at }, line: at });
  }
  return { branch, metadata: Object.keys(flat).length ? unflatten(flat) : undefined };
}

function parseValue(read: () => string | undefined): string {
  const first = read();
  if (first === undefined) return '';
  if (first === "'" || first === '"') {
    let out = '';
    let escaping = false;
    for (let b = read(); b !== undefined; b = read()) {
      if (!escaping && b === first) break;
      if (!escaping && b === '\\') {
        escaping = true;
        continue;
      }
      if (escaping && first === '"' && b === 'n') b = '\n';
      else if (escaping && b !== first) out += '\\';
      escaping = false;
      out += b;
    }
    return out;
  }
  let out = '';
  let ws = '';
  for (let b: string | undefined = first; b !== undefined && b !== '\n'; b = read()) {
    if (WS.has(b)) {
      ws += b;
      continue;
    }
    out += out === '' ? b : ws + b;
    ws = '';
  }
  return out;
}

/** Reverses sops's Flatten: `a__list_0__map_b` -> { a: [ { b } ] }. */
export function unflatten(flat: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
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
        list[index] ??= {};
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
        text = String(v.value);
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
