/**
 * The `sops` metadata block: key groups (top-level keys form one group;
 * otherwise `key_groups`), the MAC, `lastmodified`, and the encryption rules.
 * Only age keys can be used by ksec; the others are listed so errors can
 * name them.
 */
import { KsecError } from '../errors.js';
import { isRecord } from '../manifest/objects.js';
import { DEFAULT_UNENCRYPTED_SUFFIX, type EncryptionRules } from './rules.js';

export const KEY_TYPES = ['age', 'pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const KEY_TYPE_NAMES: Record<KeyType, string> = {
  age: 'age',
  pgp: 'PGP',
  kms: 'AWS KMS',
  gcp_kms: 'GCP KMS',
  azure_kv: 'Azure Key Vault',
  hc_vault: 'HashiCorp Vault',
  hckms: 'HuaweiCloud KMS',
};

export interface AgeStanza {
  recipient: string;
  enc: string;
}

export interface KeyGroup {
  age: AgeStanza[];
  /** how many keys of each other type the group holds */
  others: Partial<Record<KeyType, number>>;
}

export interface SopsMetadata {
  keyGroups: KeyGroup[];
  shamirThreshold: number;
  lastModified: string | undefined;
  mac: string | undefined;
  macOnlyEncrypted: boolean;
  version: string | undefined;
  rules: EncryptionRules;
  /** rule names that are set, for messages */
  ruleCount: number;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value === undefined || value === null ? undefined : String(value);
}

function groupOf(source: Record<string, unknown>): KeyGroup {
  const group: KeyGroup = { age: [], others: {} };
  for (const type of KEY_TYPES) {
    const list = source[type];
    if (!Array.isArray(list) || list.length === 0) continue;
    if (type === 'age') {
      for (const entry of list) {
        if (isRecord(entry)) group.age.push({ recipient: str(entry.recipient) ?? '', enc: str(entry.enc) ?? '' });
      }
    } else {
      group.others[type] = list.length;
    }
  }
  return group;
}

function isEmptyGroup(group: KeyGroup): boolean {
  return group.age.length === 0 && Object.keys(group.others).length === 0;
}

/** Reads the metadata block; throws (exit 2) when it is not usable at all. */
export function readMetadata(raw: unknown, file: string): SopsMetadata {
  if (!isRecord(raw)) {
    throw new KsecError('not a SOPS file: no sops metadata', { file, hint: 'encrypt it with sops first, or check the path' });
  }
  const top = groupOf(raw);
  let keyGroups: KeyGroup[];
  if (!isEmptyGroup(top)) keyGroups = [top];
  else if (Array.isArray(raw.key_groups)) keyGroups = raw.key_groups.filter(isRecord).map(groupOf);
  else keyGroups = [];
  const rules: EncryptionRules = {
    unencryptedSuffix: str(raw.unencrypted_suffix) || undefined,
    encryptedSuffix: str(raw.encrypted_suffix) || undefined,
    unencryptedRegex: str(raw.unencrypted_regex) || undefined,
    encryptedRegex: str(raw.encrypted_regex) || undefined,
    unencryptedCommentRegex: str(raw.unencrypted_comment_regex) || undefined,
    encryptedCommentRegex: str(raw.encrypted_comment_regex) || undefined,
  };
  const ruleCount = Object.values(rules).filter(Boolean).length;
  if (ruleCount === 0) rules.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
  const macOnly = raw.mac_only_encrypted;
  return {
    keyGroups,
    shamirThreshold: Number(raw.shamir_threshold ?? 0) || 0,
    lastModified: str(raw.lastmodified),
    mac: str(raw.mac),
    macOnlyEncrypted: macOnly === true || macOnly === 'true',
    version: str(raw.version),
    rules,
    ruleCount,
  };
}

/**
 * The `lastmodified` text sops uses as the MAC's additional data: Go parses
 * it as RFC 3339 and formats it again, which drops fractional seconds.
 */
export function macAdditionalData(lastModified: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(lastModified);
  if (!m) return undefined;
  // Go's "Z07:00" prints Z for any zero offset
  const zone = /^(z|[+-]00:00)$/i.test(m[3]!) ? 'Z' : m[3]!;
  return m[1]!.toUpperCase() + zone;
}

/** All recipients/keys the file names, for "no matching identity" messages. */
export function describeKeys(meta: SopsMetadata): { ageRecipients: string[]; others: string[] } {
  const ageRecipients = meta.keyGroups.flatMap((g) => g.age.map((a) => a.recipient));
  const counts: Partial<Record<KeyType, number>> = {};
  for (const g of meta.keyGroups) {
    for (const [type, n] of Object.entries(g.others) as [KeyType, number][]) counts[type] = (counts[type] ?? 0) + n;
  }
  const others = (Object.entries(counts) as [KeyType, number][]).map(([type, n]) => `${n} ${KEY_TYPE_NAMES[type]} key${n === 1 ? '' : 's'}`);
  return { ageRecipients, others };
}
