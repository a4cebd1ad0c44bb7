/**
 * `ksec eso generate --check`: what differs between the manifests committed
 * in a directory and the ones generate would write there now. Pure: the
 * command reads the files and hands over their parsed documents. The result
 * names files, objects and field paths; ExternalSecrets hold no secret
 * values, and no field value is quoted anyway.
 */
import { isRecord } from '../manifest/objects.js';

export interface ExpectedFile {
  /** file name relative to the directory */
  file: string;
  object: unknown;
}

export interface Drift {
  file: string;
  /** `ExternalSecret NS/NAME`, `Kustomization`, or the kind and name found in the file */
  object: string;
  /** `missing`: generate would write it and it is not there; `stale`: it is there and generate would not write it */
  change: 'missing' | 'stale' | 'changed';
  /** for `changed`: the field paths that differ (at most MAX_FIELDS, then `...`) */
  fields?: string[];
}

const MAX_FIELDS = 8;

/**
 * Compares file by file. `committed` maps each manifest file of the directory
 * to its parsed document (undefined when it does not parse: reported as changed).
 */
export function manifestDrift(expected: readonly ExpectedFile[], committed: ReadonlyMap<string, unknown>): Drift[] {
  const out: Drift[] = [];
  const wanted = new Set(expected.map((e) => e.file));
  for (const e of expected) {
    if (!committed.has(e.file)) {
      out.push({ file: e.file, object: describe(e.object), change: 'missing' });
      continue;
    }
    const have = committed.get(e.file);
    const fields: string[] = [];
    if (isRecord(have)) diff(e.object, have, '', fields);
    else fields.push('(the file is not one YAML object)');
    if (fields.length > 0) {
      out.push({ file: e.file, object: describe(e.object), change: 'changed', fields: fields.length > MAX_FIELDS ? [...fields.slice(0, MAX_FIELDS), '...'] : fields });
    }
  }
  for (const [file, object] of committed) {
    if (!wanted.has(file) && isRecord(object) && object.kind === 'ExternalSecret') out.push({ file, object: describe(object), change: 'stale' });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** One line per difference, for the terminal. */
export function formatDrift(d: Drift): string {
  switch (d.change) {
    case 'missing':
      return `${d.file}: ${d.object} is missing (generate would write it now)`;
    case 'stale':
      return `${d.file}: ${d.object} is no longer generated (gone from AWS, or renamed)`;
    case 'changed':
      return `${d.file}: ${d.object} differs at ${d.fields!.join(', ')}`;
  }
}

function describe(object: unknown): string {
  if (!isRecord(object)) return 'a document that does not parse as an object';
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return name ? `${String(object.kind)} ${ns}${name}` : String(object.kind ?? 'object');
}

/**
 * Field paths where `want` and `have` differ. Lists of objects that carry a
 * `secretKey` (spec.data) are compared by that key, so one added entry is one
 * difference, not a shift of every later index.
 */
function diff(want: unknown, have: unknown, at: string, out: string[]): void {
  if (Array.isArray(want) && Array.isArray(have)) {
    const keyed = (list: unknown[]) => list.every((x) => isRecord(x) && typeof x.secretKey === 'string');
    if (keyed(want) && keyed(have)) {
      const byKey = (list: unknown[]) => new Map(list.map((x) => [(x as { secretKey: string }).secretKey, x]));
      const w = byKey(want);
      const h = byKey(have);
      for (const [k, v] of w) diff(v, h.get(k), `${at}[secretKey=${k}]`, out);
      for (const k of h.keys()) if (!w.has(k)) out.push(`${at}[secretKey=${k}] (not produced now)`);
      const order = (m: Map<string, unknown>) => [...m.keys()].filter((k) => w.has(k) && h.has(k)).join('\0');
      if (order(w) !== order(h)) out.push(`${at} (order)`);
      return;
    }
    const plain = (list: unknown[]) => list.every((x) => typeof x === 'string');
    if (plain(want) && plain(have)) {
      // kustomization resources: file names, compared as a set, then in order
      const added = (want as string[]).filter((x) => !have.includes(x));
      const removed = (have as string[]).filter((x) => !want.includes(x));
      if (added.length || removed.length) out.push(`${at} (${[...added.map((x) => `+${x}`), ...removed.map((x) => `-${x}`)].join(' ')})`);
      else if (want.join('\0') !== have.join('\0')) out.push(`${at} (order)`);
      return;
    }
    const n = Math.max(want.length, have.length);
    for (let i = 0; i < n; i++) diff(want[i], have[i], `${at}[${i}]`, out);
    return;
  }
  if (isRecord(want) && isRecord(have)) {
    for (const k of new Set([...Object.keys(want), ...Object.keys(have)])) diff(want[k], have[k], at ? `${at}.${k}` : k, out);
    return;
  }
  if (want === undefined && have !== undefined) out.push(`${at} (not produced now)`);
  else if (want !== undefined && have === undefined) out.push(`${at} (missing)`);
  else if (want !== have) out.push(at || '(document)');
}
