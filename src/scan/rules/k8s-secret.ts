/** Plain Kubernetes Secrets: base64 is an encoding, not encryption. */
import { isRecord, isSecret, type KubeObject } from '../../manifest/objects.js';
import type { RuleInfo } from '../types.js';
import { isPlaceholder, isPlaceholderData } from './placeholder.js';
import { searchIn, type Hit, type ObjectContext, type ObjectRules } from './types.js';

/** a SOPS-encrypted value (its well-formedness is the sops rules' to judge) */
function isSopsEncrypted(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('ENC[') && value.endsWith(']');
}

export const secretPlaintext: RuleInfo = {
  id: 'k8s-secret-plaintext',
  family: 'k8s-secret',
  severity: 'critical',
  name: 'Plaintext Kubernetes Secret',
  description:
    'A Secret carries a literal value in data or stringData (base64 is not encryption); commit a SealedSecret, a SOPS-encrypted file or an ExternalSecret instead.',
};

/**
 * `kind: Secret` anywhere in the text (YAML or JSON, quoted or not, before or
 * after the data), or a `kind` whose value is a block scalar (`kind: |-` then
 * `Secret` on the next line): files without it are not parsed for this
 * family. It starts with the literal `kind` (a quote before it changes nothing
 * for a test), so the search skips ahead instead of trying every position.
 */
const SECRET_KIND = /kind["']?\s*:\s*(?:&\S+\s+)?(?:[|>]|["']?Secret["']?\s*(?:[,}#\r\n]|$))/m;

/** an alias (`*name`) where a node starts: `kind: *k`, or a key that is one, may read `Secret` from an anchor elsewhere */
const ALIAS = /(?:^|[\s[{,])\*[^\s,[\]{}]/m;

/** what can stand before `Secret` in a SECRET_KIND match */
const BEFORE_KIND = /[\s"':]/;

/**
 * Whether `Secret` occurs as a word of its own (after a quote, a space or a
 * colon): where SECRET_KIND could match. SealedSecrets, ExternalSecrets and
 * their stores hold `Secret` only inside longer words, and this is a few
 * indexOf calls where the regex would read the whole text.
 */
function secretWord(text: string): boolean {
  for (let i = text.indexOf('Secret'); i !== -1; i = text.indexOf('Secret', i + 6)) {
    if (BEFORE_KIND.test(text.charAt(i - 1))) return true;
  }
  return false;
}

export const k8sSecretRules: ObjectRules = {
  family: 'k8s-secret',
  rules: [secretPlaintext],
  keywords: ['Secret'],
  mayApply: (text, _path, has = searchIn(text)) => has('Secret') && secretWord(text) && (SECRET_KIND.test(text) || ALIAS.test(text)),
  check(object: KubeObject, context?: ObjectContext): Hit[] {
    if (!isSecret(object)) return [];
    const sops = context?.sops === true;
    const hits: Hit[] = [];
    for (const field of ['data', 'stringData'] as const) {
      const values = object[field];
      if (!isRecord(values)) continue;
      const literal = field === 'data' ? (v: unknown) => !isPlaceholderData(v) : (v: unknown) => !isPlaceholder(v);
      for (const [key, value] of Object.entries(values)) {
        // every value the Secret would deliver: a SOPS value is encrypted only as ENC[...]
        if (!literal(value) || isSopsEncrypted(value)) continue;
        hits.push({
          rule: secretPlaintext,
          path: [field, key],
          message: sops
            ? `${field}.${key} is plaintext in a SOPS file: its encryption rules (encrypted_regex, encrypted_suffix, ...) leave it out; make them cover every value of the Secret (e.g. encrypted_regex: ^(data|stringData)$) and re-encrypt`
            : `${field}.${key} holds a plaintext value${field === 'data' ? ' (base64 is only an encoding)' : ''}; seal it (ksec seal) or move it to SOPS or an ExternalSecret`,
        });
      }
    }
    return hits;
  },
};
