/**
 * How Reloader v1.4.14 reads the values of some of its command-line flags,
 * pure, so `ksec watch` can take a Reloader Deployment's arguments unchanged.
 */
import type { Level } from './log.js';
import { parseGoBool } from './policy.js';

/**
 * One value of a pflag string-slice flag, read as pflag does (encoding/csv, one
 * record): comma separated fields, a field in double quotes may hold commas and
 * "" for a quote. Reloader's chart renders --namespace-selector="k=v" with the
 * quotes inside the argument; this is why they disappear there.
 */
export function csvFields(value: string): string[] {
  if (value === '') return [];
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (value[i] === '"') {
      i++;
      for (;;) {
        const q = value.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        field += value.slice(i, q);
        i = q + 1;
        if (value[i] === '"') {
          field += '"';
          i++;
          continue;
        }
        break;
      }
      if (i < value.length && value[i] !== ',') throw new Error('extraneous text after a quoted field');
    } else {
      const c = value.indexOf(',', i);
      field = value.slice(i, c < 0 ? value.length : c);
      if (field.includes('"')) throw new Error('bare " in a field');
      i = c < 0 ? value.length : c;
    }
    out.push(field);
    if (i >= value.length) return out;
    i++; // the comma
  }
}

/**
 * --namespace-selector / --resource-label-selector: pflag string slices (csvFields of
 * each occurrence, repeatable), each item rewritten as common.GetNamespaceLabelSelector
 * does — legacy `k:v` becomes `k=v`, `k:*` and `k=*` become `k` (the key exists)
 * — then joined with commas into one label selector. Empty: undefined.
 */
export function reloaderSelector(items: readonly string[]): string | undefined {
  const out = items.map((kv) => {
    let item = kv;
    if (kv.includes(':')) {
      const split = kv.split(':');
      item = split[1] === '*' ? split[0]! : `${split[0]}=${split[1]}`;
    }
    // Reloader tests the original item here, not the rewritten one
    if (kv.includes('=')) {
      const split = kv.split('=');
      if (split[1] === '*') item = split[0]!;
    }
    return item;
  });
  const selector = out.join(',');
  return selector === '' ? undefined : selector;
}

/**
 * --log-level: logrus.ParseLevel's names (case-insensitive: panic, fatal, error,
 * warn, warning, info, debug, trace) mapped onto ksec's four levels; undefined
 * when logrus would reject it (Reloader then warns and stays at info).
 */
export function reloaderLogLevel(value: string): Level | undefined {
  switch (value.toLowerCase()) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'info':
      return 'info';
    case 'warn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'fatal':
    case 'panic':
      return 'error';
    default:
      return undefined;
  }
}

/** pflag's boolean flag values: `--flag` (true), `--flag=<value>` read by strconv.ParseBool; undefined when invalid. */
export function flagBool(value: boolean | string | undefined, fallback = false): boolean | undefined {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  return parseGoBool(value);
}
