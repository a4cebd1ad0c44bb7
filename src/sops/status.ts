/**
 * Is a SOPS file fully encrypted and is its metadata intact? Pure and
 * keyless: it checks every value the file's own rules say must be encrypted
 * is an `ENC[...]` value, and that the MAC, lastmodified and recipients are
 * present and well-formed. Messages carry key paths and lines, never values.
 */
import { isKsecError } from '../errors.js';
import { PQ_STANZA, ageFileProblem, recipientStanzaType } from './age.js';
import { detectSopsFormat, parseSopsText, type SopsFormat } from './decrypt.js';
import { describeKeys, macAdditionalData, readMetadata } from './metadata.js';
import { compileRules } from './rules.js';
import { pathLabel, walkBranch } from './tree.js';
import { parseEncrypted } from './values.js';

export interface SopsProblem {
  code: string;
  message: string;
  /** key path such as `data.password` */
  path?: string;
  line?: number;
}

/** One age recipient of the file's metadata and its kind (public keys only; nothing is decrypted). */
export interface AgeRecipientInfo {
  recipient: string;
  /** `X25519` (`age1...`), `post-quantum` (`age1pq1...`, ML-KEM-768 + X25519), `invalid` (neither) */
  type: 'X25519' | 'post-quantum' | 'invalid';
  /** 1-based key group */
  keyGroup: number;
}

export interface SopsStatus {
  isSops: boolean;
  format: SopsFormat;
  problems: SopsProblem[];
  unencryptedValues: { path: string; line?: number }[];
  /** the age recipients the metadata lists, in order */
  ageRecipients: AgeRecipientInfo[];
  /** the other keys, counted by kind (e.g. `1 PGP key`) */
  otherKeys: string[];
}

/** `age: 1 X25519, 1 post-quantum; 1 PGP key`: what a file is encrypted for, in one phrase. */
export function describeRecipients(status: Pick<SopsStatus, 'ageRecipients' | 'otherKeys'>): string {
  const counts = new Map<string, number>();
  for (const r of status.ageRecipients) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const age = [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
  return [age && `age: ${age}`, ...status.otherKeys].filter(Boolean).join('; ') || 'no keys';
}

export function sopsStatus(text: string, path: string): SopsStatus {
  const format = detectSopsFormat(path, text);
  const status: SopsStatus = { isSops: false, format, problems: [], unencryptedValues: [], ageRecipients: [], otherKeys: [] };
  let doc;
  try {
    doc = parseSopsText(text, path, format);
  } catch (err) {
    if (!isKsecError(err)) throw err;
    status.problems.push({ code: 'parse-error', message: err.message });
    return status;
  }
  if (doc.rawMetadata === undefined) return status;
  status.isSops = true;
  const problem = (code: string, message: string, extra: Partial<SopsProblem> = {}) => status.problems.push({ code, message, ...extra });
  let meta;
  try {
    meta = readMetadata(doc.rawMetadata, path);
  } catch (err) {
    if (!isKsecError(err)) throw err;
    problem('metadata-invalid', 'the sops metadata is not a map');
    return status;
  }
  if (!meta.mac) problem('mac-missing', 'the sops metadata has no MAC');
  else {
    const mac = parseEncrypted(meta.mac);
    if (!mac) problem('mac-invalid', 'the sops MAC is not an encrypted value');
    // an encrypted HMAC-SHA512 in upper-case hex: 128 bytes, a 32-byte IV, a 16-byte tag
    else if (mac.data.length !== 128 || mac.iv.length !== 32 || mac.tag.length !== 16 || mac.type !== 'str') {
      problem('mac-invalid', `the sops MAC is truncated or damaged (${mac.data.length} bytes of 128)`);
    }
  }
  if (!meta.lastModified) problem('lastmodified-missing', 'the sops metadata has no lastmodified timestamp');
  else if (!macAdditionalData(meta.lastModified)) problem('lastmodified-invalid', 'the sops lastmodified timestamp is not RFC 3339');
  if (meta.ruleCount > 1) problem('rules-conflict', 'the metadata sets more than one encryption rule (suffixes/regexes)');
  status.otherKeys = describeKeys(meta).others;
  const keyCount = meta.keyGroups.reduce((n, g) => n + g.age.length + Object.values(g.others).reduce((a, b) => a + (b ?? 0), 0), 0);
  if (keyCount === 0) problem('recipients-missing', 'the sops metadata lists no recipients or keys');
  meta.keyGroups.forEach((group, g) =>
    group.age.forEach((stanza, i) => {
      const where = meta.keyGroups.length > 1 ? `key group ${g + 1}, age entry ${i + 1}` : `age entry ${i + 1}`;
      const type = recipientStanzaType(stanza.recipient);
      status.ageRecipients.push({ recipient: stanza.recipient, type: !type ? 'invalid' : type === PQ_STANZA ? 'post-quantum' : 'X25519', keyGroup: g + 1 });
      if (!type) problem('recipient-invalid', `${where}: the recipient is not a valid age1... (X25519) or age1pq1... (post-quantum) recipient`);
      const damaged = type && ageFileProblem(stanza.enc, type);
      if (damaged) problem('age-stanza-invalid', `${where}: the encrypted data key is damaged: ${damaged}`);
    }),
  );
  const rules = compileRules(meta.rules);
  for (const branch of doc.branches) {
    walkBranch(branch, (leaf, ctx) => {
      if (leaf.kind === 'comment' || !rules.shouldBeEncrypted(ctx, false)) return leaf;
      if (leaf.kind === 'str' && (leaf.value === '' || wellFormed(parseEncrypted(leaf.value)))) return leaf;
      const where = { path: pathLabel(ctx.path), line: leaf.line };
      status.unencryptedValues.push(where);
      const label = leaf.kind === 'str' && leaf.value.startsWith('ENC[') ? 'is a malformed encrypted value' : 'is not encrypted';
      problem('value-unencrypted', `value at ${where.path} ${label} although the file's rules say it must be`, where);
      return leaf;
    });
  }
  return status;
}

/** sops seals values with AES-256-GCM under a 32-byte IV and a 16-byte tag: anything else was cut or edited */
function wellFormed(value: ReturnType<typeof parseEncrypted>): boolean {
  return value !== undefined && value.iv.length === 32 && value.tag.length === 16;
}
