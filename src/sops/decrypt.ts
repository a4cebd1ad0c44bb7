/**
 * Reading a SOPS file: parse it into the ordered tree, recover the data key
 * with an age identity, decrypt every value the file's rules say is
 * encrypted, and verify the MAC exactly as sops does: SHA-512 over every
 * value's text form in document order (only the encrypted ones, after a
 * fixed 32-byte prefix, with `mac_only_encrypted`), printed as upper-case
 * hex, compared with the `mac` value decrypted under the data key with
 * `lastmodified` as additional data.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { extname, basename } from 'node:path';
import { KsecError } from '../errors.js';
import { AgeError, ageDecrypt, describeIdentity, describeRecipient, identityMayMatch, type AgeIdentity } from './age.js';
import { parseDotenvTree } from './dotenv.js';
import { parseJsonTree } from './json.js';
import { describeKeys, macAdditionalData, readMetadata, type KeyGroup, type SopsMetadata } from './metadata.js';
import { shamirCombine } from './shamir.js';
import { compileRules } from './rules.js';
import { pathLabel, walkBranch, type Leaf, type SopsMap } from './tree.js';
import { ValueError, decryptValue, macBytes, openValue, parseEncrypted } from './values.js';
import { parseYamlTree } from './yaml.js';
import { readUserText } from '../user-file.js';

export type SopsFormat = 'yaml' | 'json' | 'dotenv';
export const SOPS_FORMATS: readonly SopsFormat[] = ['yaml', 'json', 'dotenv'];

/** 32 bytes sops hashes first when `mac_only_encrypted` is set (sha256 of "sops"). */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

export interface SopsDocument {
  path: string;
  format: SopsFormat;
  /** one per YAML document; JSON and dotenv have one */
  branches: SopsMap[];
  /** undefined when the file has no sops metadata */
  rawMetadata: unknown;
}

/** The format sops would pick: by extension (.yaml/.yml, .json, .env), else by content. */
export function detectSopsFormat(path: string, text: string): SopsFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  if (ext === '.env' || basename(path) === '.env') return 'dotenv';
  const first = text.trimStart()[0];
  if (first === '{') return 'json';
  if (/^sops_mac=/m.test(text) && !/^sops:/m.test(text)) return 'dotenv';
  return 'yaml';
}

export function parseSopsText(text: string, path: string, format: SopsFormat = detectSopsFormat(path, text)): SopsDocument {
  const clean = text.replace(/^\uFEFF/, '');
  switch (format) {
    case 'json': {
      const root = parseJsonTree(clean, path);
      const at = root.items.findIndex((i) => i.kind === 'item' && i.key === 'sops');
      let rawMetadata: unknown;
      if (at >= 0) {
        const item = root.items[at]!;
        rawMetadata = item.kind === 'item' ? toPlain(item.value) : undefined;
        root.items.splice(at, 1);
      }
      return { path, format, branches: [root], rawMetadata };
    }
    case 'dotenv': {
      const { branch, metadata } = parseDotenvTree(clean, path);
      return { path, format, branches: [branch], rawMetadata: metadata };
    }
    default: {
      const { branches, metadata } = parseYamlTree(clean, path);
      return { path, format, branches, rawMetadata: metadata };
    }
  }
}

/** Plain JS data from a tree node (ints beyond 2^53 lose precision; use the tree when that matters). */
export function toPlain(node: import('./tree.js').SopsNode): unknown {
  switch (node.kind) {
    case 'map': {
      // no prototype: `__proto__` or `constructor` are keys like any other
      const out = Object.create(null) as Record<string, unknown>;
      for (const item of node.items) if (item.kind === 'item') out[item.key] = toPlain(item.value);
      return out;
    }
    case 'seq':
      return node.items.filter((i) => i.kind !== 'comment').map((i) => toPlain(i as import('./tree.js').SopsNode));
    case 'int':
      return Number(node.value);
    case 'null':
      return null;
    case 'bytes':
      return node.value.toString('utf8');
    default:
      return node.value;
  }
}

export interface DecryptedSops {
  path: string;
  format: SopsFormat;
  /** the decrypted documents, in order, with types and comments kept */
  branches: SopsMap[];
  metadata: SopsMetadata;
}

/** Recovers the 32-byte data key: from the one key group, or by combining Shamir parts from several. */
export function recoverDataKey(meta: SopsMetadata, identities: readonly AgeIdentity[], file: string, searched: string[] = []): Buffer {
  const { ageRecipients, others } = describeKeys(meta);
  if (meta.keyGroups.length === 0) {
    throw new KsecError('the sops metadata lists no keys', { file, hint: 'the metadata block is damaged; re-encrypt the file with sops' });
  }
  if (ageRecipients.length === 0) {
    throw new KsecError(`the file is encrypted only for ${others.join(', ')}; ksec decrypts age keys only`, {
      file,
      hint: 'add an age recipient with `sops updatekeys` / `sops -r --add-age`, or decrypt with sops',
    });
  }
  const expected = ageRecipients.map(describeRecipient).join(', ');
  if (identities.length === 0) {
    throw new KsecError(`no age identity found (looked in: ${searched.join(', ') || 'nowhere'})`, {
      file,
      hint: `the file expects one of: ${expected}; set SOPS_AGE_KEY_FILE or pass --age-key-file`,
    });
  }
  const parts = meta.keyGroups.map((group) => groupPart(group, identities, file));
  const opened = parts.filter((p): p is Buffer => p !== undefined);
  const noMatch = () =>
    new KsecError(`no age identity matches this file: it expects one of ${expected}`, {
      file,
      hint: `ksec has identities for ${[...new Set(identities.map(describeIdentity))].join(', ')}${others.length ? `; the file also has ${others.join(', ')}, which ksec cannot use` : ''}`,
    });
  if (meta.keyGroups.length === 1) {
    if (!opened[0]) throw noMatch();
    return checkKeyLength(opened[0], file);
  }
  const threshold = meta.shamirThreshold || meta.keyGroups.length;
  if (opened.length < threshold) {
    if (opened.length === 0) throw noMatch();
    throw new KsecError(
      `the data key is split across ${meta.keyGroups.length} key groups and ${threshold} are needed, but ksec's identities open only ${opened.length}`,
      { file, hint: `add identities for the other groups; the file expects: ${expected}` },
    );
  }
  try {
    return checkKeyLength(shamirCombine(opened), file);
  } catch (err) {
    if (err instanceof KsecError) throw err;
    throw new KsecError('the key groups\' parts do not combine into a data key', { file, hint: 'the sops key_groups block was modified' });
  }
}

function checkKeyLength(key: Buffer, file: string): Buffer {
  if (key.length !== 32) throw new KsecError('the decrypted data key is not 32 bytes', { file, hint: 'the metadata block is damaged' });
  return key;
}

/**
 * The group's part of the data key from the first age stanza an identity
 * opens; undefined if none does. When only a post-quantum identity on a
 * Node.js without ML-KEM belongs to a stanza, and no other stanza opens, the
 * refusal is one line (exit 2), never a silent "no identity matches".
 */
function groupPart(group: KeyGroup, identities: readonly AgeIdentity[], file: string): Buffer | undefined {
  let unsupported: KsecError | undefined;
  for (const stanza of group.age) {
    try {
      return ageDecrypt(stanza.enc, identities.filter((identity) => identityMayMatch(identity, stanza.recipient)));
    } catch (err) {
      if (err instanceof AgeError && err.reason === 'no-identity') continue;
      if (err instanceof AgeError && err.reason === 'unsupported') {
        unsupported ??= new KsecError(err.message, {
          file,
          hint: `the data key for ${describeRecipient(stanza.recipient)} needs ML-KEM-768: run ksec on Node.js >= 24.7, or decrypt with sops`,
        });
        continue;
      }
      if (err instanceof AgeError) {
        throw new KsecError(`the age data key for recipient ${describeRecipient(stanza.recipient)} is damaged: ${err.message}`, {
          file,
          hint: 'the sops.age block was modified; restore it from version control',
        });
      }
      throw err;
    }
  }
  if (unsupported) throw unsupported;
  return undefined;
}

/** Decrypts a parsed SOPS document and verifies its MAC; throws KsecError (exit 2) on any failure. */
export function decryptDocument(doc: SopsDocument, identities: readonly AgeIdentity[], searched: string[] = []): DecryptedSops {
  const file = doc.path;
  if (doc.rawMetadata === undefined) {
    throw new KsecError('not a SOPS file: no sops metadata', { file, hint: 'encrypt it with sops first, or check the path and format' });
  }
  const meta = readMetadata(doc.rawMetadata, file);
  if (meta.ruleCount > 1) {
    throw new KsecError('the metadata sets more than one encryption rule (suffixes/regexes), which sops rejects', {
      file,
      hint: 'the metadata block was modified',
    });
  }
  const aad = meta.lastModified === undefined ? undefined : macAdditionalData(meta.lastModified);
  if (aad === undefined) {
    throw new KsecError('the sops metadata has no valid lastmodified timestamp', { file, hint: 'the metadata block was modified' });
  }
  if (!meta.mac) throw new KsecError('the sops metadata has no MAC', { file, hint: 'the metadata block was modified' });
  const key = recoverDataKey(meta, identities, file, searched);
  const rules = compileRules(meta.rules);
  const hash = createHash('sha512');
  if (meta.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const branches = doc.branches.map((branch) =>
    walkBranch(branch, (leaf, ctx) => {
      const isComment = leaf.kind === 'comment';
      const encrypted = rules.shouldBeEncrypted(ctx, isComment);
      let out: Leaf = leaf;
      if (encrypted) {
        const additional = additionalDataFor(ctx.path);
        if (leaf.kind === 'comment') {
          out = decryptComment(leaf.value, key, additional, ctx.path) ?? leaf;
        } else if (leaf.kind !== 'str') {
          throw new KsecError(`value at ${pathLabel(ctx.path)} is not encrypted although the file's rules say it must be`, {
            file,
            hint: 'a plaintext value was added to the encrypted file; encrypt it with sops',
          });
        } else {
          try {
            out = decryptValue(leaf.value, key, additional);
          } catch (err) {
            throw valueError(err, ctx.path, file, leaf.line);
          }
        }
      }
      if ((!meta.macOnlyEncrypted || encrypted) && out.kind !== 'comment') hash.update(macBytes(out));
      return out;
    }),
  );
  verifyMac(meta.mac, hash.digest('hex').toUpperCase(), key, aad, file);
  return { path: file, format: doc.format, branches, metadata: meta };
}

function additionalDataFor(path: string[]): string {
  return path.join(':') + ':';
}

/**
 * Comments are decrypted like sops does, falling back to the text as it is.
 * YAML parsers attach a comment to neighbouring levels differently, so the
 * key paths of the enclosing maps are tried too.
 */
function decryptComment(text: string, key: Buffer, additional: string, path: string[]): Leaf | undefined {
  if (!parseEncrypted(text)) return undefined;
  const candidates = [additional, ...path.map((_, i) => additionalDataFor(path.slice(0, i)))];
  for (const candidate of new Set(candidates)) {
    try {
      const v = decryptValue(text, key, candidate);
      if (v.kind === 'comment') return v;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

function valueError(err: unknown, path: string[], file: string, line: number | undefined): KsecError {
  const where = `value at ${pathLabel(path)}${line ? ` (line ${line})` : ''}`;
  if (err instanceof ValueError) {
    if (err.reason === 'auth') {
      return new KsecError(`${where} failed authentication: it was modified, moved to another key, or encrypted with another data key`, {
        file,
        hint: 'restore the file from version control or re-encrypt it with sops',
      });
    }
    if (err.reason === 'format') {
      return new KsecError(`${where} is not a sops-encrypted value although the file's rules say it must be`, {
        file,
        hint: 'a plaintext value was added to the encrypted file; encrypt it with sops',
      });
    }
    return new KsecError(`${where} ${err.message}`, { file, hint: 'the value was modified' });
  }
  return err instanceof KsecError ? err : new KsecError(`${where} could not be decrypted`, { file, cause: err });
}

function verifyMac(stored: string, computed: string, key: Buffer, aad: string, file: string): void {
  const enc = parseEncrypted(stored);
  if (!enc) throw new KsecError('the sops MAC is not an encrypted value', { file, hint: 'the sops.mac entry was modified' });
  let mac: Buffer;
  try {
    mac = openValue(enc, key, aad);
  } catch {
    throw new KsecError('the sops MAC failed authentication: sops.mac or sops.lastmodified was modified', {
      file,
      hint: 'restore the file from version control',
    });
  }
  const expected = Buffer.from(computed, 'latin1');
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    throw new KsecError('MAC mismatch: the file was modified after it was encrypted (a value, the order of values, or an unencrypted value changed)', {
      file,
      hint: 'restore the file from version control, or re-encrypt it with sops if the change is intended',
    });
  }
}

export interface DecryptOptions {
  /** input format; default: from the path's extension, else the content */
  format?: SopsFormat;
  /** age identities; default: found as sops finds them (see keys.ts) */
  identities?: readonly AgeIdentity[];
  /** `--age-key-file` paths, used when `identities` is not given */
  keyFiles?: string[];
  /** a name for messages when decrypting text */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Decrypts a SOPS file (a path, or the file's text with `{ path }` naming it)
 * and verifies its MAC. The result holds the ordered, typed tree; `render`
 * prints it as sops would, `toPlain` gives plain objects.
 */
export async function decryptSopsFile(
  input: string | { text: string },
  options: DecryptOptions = {},
): Promise<DecryptedSops & { data: unknown[] }> {
  let text: string;
  let path: string;
  if (typeof input === 'string') {
    path = input;
    text = await readUserText(input);
  } else {
    text = input.text;
    path = options.path ?? '<text>';
  }
  const doc = parseSopsText(text, path, options.format);
  let identities = options.identities;
  let searched: string[] = [];
  if (!identities) {
    const { findIdentities } = await import('./keys.js');
    const found = await findIdentities({ keyFiles: options.keyFiles, env: options.env });
    identities = found.identities;
    searched = found.searched;
  }
  const result = decryptDocument(doc, identities, searched);
  return { ...result, data: result.branches.map(toPlain) };
}
