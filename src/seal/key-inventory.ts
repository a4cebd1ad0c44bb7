/**
 * Which controller key opens what (`ksec keys inventory`): every sealed value
 * of every SealedSecret in a tree is tried against the given private keys
 * until one opens it, and the answer is summed up per key and per
 * SealedSecret (an "item").
 *
 * Trial decryption is cheap where it can be:
 * - a value costs at most one RSA private-key operation per key, and none for
 *   a key of another modulus size; the first key that opens it ends the search;
 * - the likely key goes first: for an item's first value, the key that opened
 *   the previous item of the same file, else the key that opened the last
 *   value whose result came in (neighbours in a sorted tree were mostly sealed
 *   together), then the keys by how many values they opened so far (newest
 *   first on a tie); for its other values, the key that opened its first
 *   value (one operation each, as a rule);
 * - the work runs on the worker pool (identifyMany), whose guesses learn from
 *   the results that came back before each chunk was handed out.
 *
 * Every value is tried, not only each item's first: a SealedSecret can hold
 * values sealed for different keys (a value merged into it after a rotation),
 * and "this key opens nothing here" must be true. No plaintext leaves
 * identifyBatch, and nothing here carries a value.
 */
import type { KeyObject } from 'node:crypto';
import type { ManifestFile } from '../manifest/read.js';
import { objectsOf } from '../manifest/read.js';
import { isRecord, isSealedSecret } from '../manifest/objects.js';
import { positionOf } from '../manifest/position.js';
import { publicKeyFingerprint } from './cert.js';
import type { LoadedPrivateKey } from './keys.js';
import { identifyBatch, type IdentifyJob, type IdentifyResult } from './pool-jobs.js';
import { labelFor, scopeOf, type SealingScope } from './scope.js';
import { decodeStrictBase64 } from './wire.js';

export interface InventoryKey {
  /** kubeseal's SHA-256 fingerprint of the public key, as `ksec cert` prints it */
  fingerprint: string;
  /** where the key was read from */
  source: string;
  /** the key file (the file inside a directory given) */
  file?: string;
  /** from its certificate, when one was found */
  notBefore?: Date;
  notAfter?: Date;
  /** a PEM file holding its certificate, usable as `ksec reencrypt --cert` */
  certificateFile?: string;
  /** its certificate as PEM (public) */
  certificatePem?: string;
  /** items with at least one value this key opens */
  items: number;
  /** values this key opens */
  values: number;
  /** the key the controller seals with: the latest certificate notBefore */
  newest: boolean;
  /** the private key (never rendered) */
  key: KeyObject;
}

export interface InventoryItem {
  file: string;
  /** 1-based line of the SealedSecret in its file */
  line: number;
  namespace: string;
  name: string;
  scope: SealingScope;
  /**
   * The fingerprint of the key that opens it; when its values are sealed for
   * several keys, the oldest of them (the one a rotation still has to move).
   * null when some value opens with none of the keys.
   */
  key: string | null;
  /** every key that opens one of its values, oldest first */
  keys: string[];
  /** sealed values in encryptedData */
  values: number;
  /** why no key opens it (names the value's key, never a value) */
  problem?: string;
  /** no trial was possible (the sealing label is unknown): any key may open it */
  untested?: boolean;
}

export interface InventorySummary {
  files: number;
  items: number;
  values: number;
  newestKey: string | null;
  /** items whose every value opens with the newest key */
  onNewest: number;
  /** items with a value sealed for an older key: candidates for `ksec reencrypt` */
  reencrypt: number;
  /** items some value of which no given key opens */
  unopened: number;
  /** of those, items that could not be tried at all (no namespace for their scope) */
  untested: number;
  /** SealedSecrets without encryptedData (nothing sealed: not listed as items) */
  empty: number;
  /** keys that open nothing in this tree, the newest excepted */
  unused: string[];
  /** RSA private-key operations spent */
  rsaOperations: number;
}

export interface Inventory {
  keys: InventoryKey[];
  items: InventoryItem[];
  summary: InventorySummary;
}

/** Runs identify jobs (inline by default; the pool's identifyMany has this shape). */
export type IdentifyRunner = (
  keys: KeyObject[],
  count: number,
  job: (i: number) => IdentifyJob,
  onResult: (i: number, result: IdentifyResult) => void,
) => Promise<IdentifyResult[]>;

export const identifyInline: IdentifyRunner = async (keys, count, job, onResult) => {
  const out: IdentifyResult[] = [];
  for (let i = 0; i < count; i++) {
    const r = identifyBatch(keys, [job(i)])[0]!;
    onResult(i, r);
    out.push(r);
  }
  return out;
};

export interface InventoryOptions {
  /** namespace for SealedSecrets that have none (the one they are applied in) */
  namespace?: string;
  run?: IdentifyRunner;
  /** values tried so far, of `total` */
  onProgress?: (done: number, total: number) => void;
}

interface Value {
  item: number;
  key: string;
  ciphertext?: Buffer;
  problem?: string;
  result?: IdentifyResult;
}

interface Draft extends InventoryItem {
  fileIndex: number;
  valueIndices: number[];
  label?: Buffer;
}

/** The inventory of `files` against `keys` (loaded with their certificates for dates and the newest key). */
export async function keyInventory(files: ManifestFile[], keys: LoadedPrivateKey[], options: InventoryOptions = {}): Promise<Inventory> {
  const run = options.run ?? identifyInline;
  const inventoryKeys = keys.map((k): InventoryKey => ({
    fingerprint: publicKeyFingerprint(k.key),
    source: k.source,
    file: k.file,
    notBefore: k.certificate?.notBefore,
    notAfter: k.certificate?.notAfter,
    certificateFile: k.certificate?.file,
    certificatePem: k.certificate?.x509.toString(),
    items: 0,
    values: 0,
    newest: false,
    key: k.key,
  }));
  const newest = newestKey(inventoryKeys);
  if (newest) newest.newest = true;

  // the items and their values, in file order
  const drafts: Draft[] = [];
  const values: Value[] = [];
  let empty = 0;
  files.forEach((file, fileIndex) => {
    for (const entry of objectsOf([file])) {
      const ss = entry.object;
      if (!isSealedSecret(ss)) continue;
      const encrypted = isRecord(ss.spec) && isRecord(ss.spec.encryptedData) ? ss.spec.encryptedData : {};
      const entries = Object.entries(encrypted);
      if (entries.length === 0) {
        empty++;
        continue;
      }
      const scope = scopeOf(ss.metadata);
      const name = ss.metadata?.name ?? '';
      const namespace = ss.metadata?.namespace ?? options.namespace ?? '';
      const line = entry.item === undefined ? entry.document.line : positionOf(file, entry.document, Array.isArray(entry.document.value) ? [entry.item] : ['items', entry.item]).line;
      const draft: Draft = { file: file.path, line, namespace, name, scope, key: null, keys: [], values: entries.length, fileIndex, valueIndices: [] };
      let label: Buffer | undefined;
      if (scope !== 'cluster-wide' && namespace === '') {
        draft.problem = `metadata.namespace is not set and the scope is ${scope}: the sealing label is unknown (pass -n NAMESPACE)`;
        draft.untested = true;
      } else if (scope === 'strict' && name === '') {
        draft.problem = 'metadata.name is not set and the scope is strict: the sealing label is unknown';
        draft.untested = true;
      } else {
        label = labelFor(scope, namespace, name);
      }
      const item = drafts.push(draft) - 1;
      if (!label) continue;
      for (const [key, text] of entries) {
        const ciphertext = decodeStrictBase64(text);
        draft.valueIndices.push(values.length);
        values.push(ciphertext ? { item, key, ciphertext } : { item, key, problem: 'not valid base64 (damaged, line-wrapped or not sealed)' });
      }
      draft.label = label;
    }
  });

  // the likely key: counts so far, newest first on a tie, then the order given
  const keyObjects = inventoryKeys.map((k) => k.key);
  const opened = new Array<number>(inventoryKeys.length).fill(0);
  const age = inventoryKeys.map((k) => k.notBefore?.getTime() ?? -Infinity);
  const popular = () => inventoryKeys.map((_, i) => i).sort((a, b) => opened[b]! - opened[a]! || age[b]! - age[a]! || a - b);
  let order = popular();
  const lastOfFile = new Map<number, number>();
  /** the key that opened the value whose result came in last: neighbours in a sorted tree were often sealed together */
  let lastKey: number | undefined;
  const total = values.filter((v) => v.ciphertext).length;
  let done = 0;
  let rsaOperations = 0;

  /** `hint`: the likeliest key, and whether the batch's previous opener should go before it (a weak guess) */
  const runPhase = async (indices: number[], hint: (v: Value) => { key?: number; sticky?: boolean }) => {
    if (indices.length === 0) return;
    order = popular();
    await run(
      keyObjects,
      indices.length,
      (n) => {
        const v = values[indices[n]!]!;
        const { key, sticky } = hint(v);
        return { ciphertext: v.ciphertext!, label: drafts[v.item]!.label!, order: key === undefined ? order : [key, ...order], sticky };
      },
      (n, result) => {
        const v = values[indices[n]!]!;
        v.result = result;
        rsaOperations += result.tries;
        if (result.status === 'opened') {
          if (opened[result.keyIndex]!++ === 0 || opened[result.keyIndex]! % 16 === 0) order = popular();
          lastOfFile.set(drafts[v.item]!.fileIndex, result.keyIndex);
          lastKey = result.keyIndex;
        }
        options.onProgress?.(++done, total);
      },
    );
  };

  // first values first: they teach the guesses for the rest of their items
  const firsts: number[] = [];
  const rest: number[] = [];
  for (const d of drafts) {
    const tryable = d.valueIndices.filter((i) => values[i]!.ciphertext);
    if (tryable.length > 0) firsts.push(tryable[0]!);
    rest.push(...tryable.slice(1));
  }
  await runPhase(firsts, (v) => {
    const ofFile = lastOfFile.get(drafts[v.item]!.fileIndex);
    return ofFile === undefined ? { key: lastKey, sticky: true } : { key: ofFile };
  });
  await runPhase(rest, (v) => {
    const first = values[drafts[v.item]!.valueIndices.find((i) => values[i]!.ciphertext)!]!.result;
    return first?.status === 'opened' || first?.status === 'tampered' ? { key: first.keyIndex } : { sticky: true };
  });

  // per item and per key
  const oldestFirst = (a: number, b: number) => age[a]! - age[b]! || a - b;
  for (const d of drafts) {
    const openers = new Set<number>();
    for (const i of d.valueIndices) {
      const v = values[i]!;
      const r = v.result;
      if (r?.status === 'opened') {
        openers.add(r.keyIndex);
        inventoryKeys[r.keyIndex]!.values++;
      } else {
        d.problem ??= `encryptedData.${v.key}: ${valueProblem(v, inventoryKeys)}`;
      }
    }
    const sorted = [...openers].sort(oldestFirst);
    for (const k of sorted) inventoryKeys[k]!.items++;
    d.keys = sorted.map((k) => inventoryKeys[k]!.fingerprint);
    d.key = d.problem === undefined ? (d.keys[0] ?? null) : null;
  }

  const items: InventoryItem[] = drafts.map(({ fileIndex: _f, valueIndices: _v, label: _l, ...item }) => item);
  const unopened = items.filter((i) => i.key === null);
  const summary: InventorySummary = {
    files: new Set(items.map((i) => i.file)).size,
    items: items.length,
    values: values.length,
    newestKey: newest?.fingerprint ?? null,
    onNewest: newest ? items.filter((i) => i.key !== null && i.keys.length === 1 && i.keys[0] === newest.fingerprint).length : 0,
    reencrypt: newest ? items.filter((i) => isReencryptCandidate(i, newest.fingerprint)).length : 0,
    unopened: unopened.length,
    untested: unopened.filter((i) => i.untested).length,
    empty,
    unused: inventoryKeys.filter((k) => k.items === 0 && !k.newest).map((k) => k.fingerprint),
    rsaOperations,
  };
  return { keys: inventoryKeys, items, summary };
}

/** An item to move to the newest key: it opens, and some value of it is sealed for another key. */
export function isReencryptCandidate(item: InventoryItem, newest: string): boolean {
  return item.key !== null && item.keys.some((k) => k !== newest);
}

/**
 * The key the controller seals with: the latest certificate notBefore (the
 * controller's default --key-order-priority, CertNotBefore). Keys without a
 * certificate cannot be placed; undefined when no key has one.
 */
export function newestKey<K extends { notBefore?: Date }>(keys: readonly K[]): K | undefined {
  let best: K | undefined;
  for (const k of keys) {
    if (k.notBefore && (!best || k.notBefore.getTime() > best.notBefore!.getTime())) best = k;
  }
  return best;
}

function valueProblem(v: Value, keys: InventoryKey[]): string {
  if (v.problem) return v.problem;
  const r = v.result;
  if (!r) return 'not tried';
  switch (r.status) {
    case 'invalid':
      return r.message;
    case 'tampered':
      return `${keys[r.keyIndex]!.fingerprint} opens the session key but the AES-GCM tag does not verify: truncated or tampered with`;
    case 'no-key':
      return r.tries === 0
        ? `none of the ${keys.length} key(s) has the modulus size it was sealed with`
        : `none of the ${keys.length} key(s) opens it (another key, or sealed for another namespace/name/scope: ksec unseal -f FILE with these keys says which)`;
    default:
      return 'opened';
  }
}
