/**
 * Is a SOPS file fully encrypted and is its metadata intact? Pure and
 * keyless: it checks every value the file's own rules say must be encrypted
 * is an `ENC[...]` value, and that the MAC, lastmodified and recipients are
 * present and well-formed. Messages carry key paths and lines, never values.
 */
import { isKsecError } from '../errors.js';
import { bech32Decode } from './bech32.js';
import { dearmor } from './age.js';
import { detectSopsFormat, parseSopsText, type SopsFormat } from './decrypt.js';
import { macAdditionalData, readMetadata } from './metadata.js';
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

export interface SopsStatus {
  isSops: boolean;
  format: SopsFormat;
  problems: SopsProblem[];
  unencryptedValues: { path: string; line?: number }[];
}

/** The MAC as sops writes it: the SHA-512 digest in hex (128 bytes) as a string, a 32-byte nonce, a 16-byte GCM tag. */
function wellFormedMac(mac: { data: Buffer; iv: Buffer; tag: Buffer; type: string }): boolean {
  return mac.data.length === 128 && mac.iv.length === 32 && mac.tag.length === 16 && mac.type === 'str';
}

export function sopsStatus(text: string, path: string): SopsStatus {
  const format = detectSopsFormat(path, text);
  const status: SopsStatus = { isSops: false, format, problems: [], unencryptedValues: [] };
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
  else if (!parseEncrypted(meta.mac)) problem('mac-invalid', 'the sops MAC is not an encrypted value');
  else if (!wellFormedMac(parseEncrypted(meta.mac)!)) problem('mac-invalid', 'the sops MAC is truncated or malformed (sops writes a 128-byte SHA-512 hex digest, a 32-byte IV and a 16-byte tag)');
  if (!meta.lastModified) problem('lastmodified-missing', 'the sops metadata has no lastmodified timestamp');
  else if (!macAdditionalData(meta.lastModified)) problem('lastmodified-invalid', 'the sops lastmodified timestamp is not RFC 3339');
  if (meta.ruleCount > 1) problem('rules-conflict', 'the metadata sets more than one encryption rule (suffixes/regexes)');
  const keyCount = meta.keyGroups.reduce((n, g) => n + g.age.length + Object.values(g.others).reduce((a, b) => a + (b ?? 0), 0), 0);
  if (keyCount === 0) problem('recipients-missing', 'the sops metadata lists no recipients or keys');
  meta.keyGroups.forEach((group, g) =>
    group.age.forEach((stanza, i) => {
      const where = meta.keyGroups.length > 1 ? `key group ${g + 1}, age entry ${i + 1}` : `age entry ${i + 1}`;
      const decoded = bech32Decode(stanza.recipient);
      if (!decoded || decoded.hrp !== 'age' || decoded.data.length !== 32) {
        problem('recipient-invalid', `${where}: the recipient is not a valid age1... X25519 recipient`);
      }
      try {
        dearmor(stanza.enc);
      } catch {
        problem('recipient-invalid', `${where}: the encrypted data key is not an armored age file`);
      }
    }),
  );
  const rules = compileRules(meta.rules);
  for (const branch of doc.branches) {
    walkBranch(branch, (leaf, ctx) => {
      if (leaf.kind === 'comment' || !rules.shouldBeEncrypted(ctx, false)) return leaf;
      if (leaf.kind === 'str' && (leaf.value === '' || parseEncrypted(leaf.value))) return leaf;
      const where = { path: pathLabel(ctx.path), line: leaf.line };
      status.unencryptedValues.push(where);
      const label = leaf.kind === 'str' && leaf.value.startsWith('ENC[') ? 'is a malformed encrypted value' : 'is not encrypted';
      problem('value-unencrypted', `value at ${where.path} ${label} although the file's rules say it must be`, where);
      return leaf;
    });
  }
  return status;
}
