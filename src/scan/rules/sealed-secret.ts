/**
 * SealedSecrets: allowed when structurally valid (and, given keys, actually
 * decryptable: validation is the seal module's, not ours); flagged when the
 * template carries literal values, which the controller copies in plaintext.
 */
import { isRecord, isSealedSecret, type KubeObject } from '../../manifest/objects.js';
import { checkStructure } from '../../seal/validate-structure.js';
import { lazy } from '../lazy.js';
import type { RuleInfo } from '../types.js';
import { isPlaceholder } from './placeholder.js';
import { searchIn, type Hit, type ObjectContext, type ObjectRules } from './types.js';

// only with --key: decrypting loads node:crypto and the seal bundle, which the keyless check (and so a
// pre-commit hook) never needs
const withKeys = lazy(() => import('../../seal/validate.js'));

export const sealedTemplateData: RuleInfo = {
  id: 'sealed-secret-template-data',
  family: 'sealed-secret',
  severity: 'critical',
  name: 'Plaintext in SealedSecret template',
  description:
    'spec.template.data of a SealedSecret is copied into the Secret unencrypted; move the value to spec.encryptedData (ksec seal --merge-into).',
};

export const sealedInvalid: RuleInfo = {
  id: 'sealed-secret-invalid',
  family: 'sealed-secret',
  severity: 'high',
  name: 'Invalid SealedSecret',
  description:
    'A SealedSecret will not unseal (bad base64, truncated ciphertext, scope annotations inconsistent with its name/namespace, or not decryptable with the given key); re-seal it with ksec seal or kubeseal.',
};

export const sealedRules: ObjectRules = {
  family: 'sealed-secret',
  rules: [sealedTemplateData, sealedInvalid],
  keywords: ['SealedSecret'],
  mayApply: (text, _path, has = searchIn(text)) => has('SealedSecret'),
  async check(object: KubeObject, context: ObjectContext): Promise<Hit[]> {
    if (!isSealedSecret(object)) return [];
    const hits: Hit[] = [];
    const spec = isRecord(object.spec) ? object.spec : {};
    const template = isRecord(spec.template) ? spec.template : {};
    if (isRecord(template.data)) {
      for (const [key, value] of Object.entries(template.data)) {
        if (isPlaceholder(value)) continue;
        hits.push({
          rule: sealedTemplateData,
          path: ['spec', 'template', 'data', key],
          message: `spec.template.data.${key} is plaintext in a SealedSecret; seal it into spec.encryptedData`,
        });
      }
    }
    const problems = context.sealed.privateKeys?.length
      ? (await withKeys()).validateSealedSecret(object, context.sealed)
      : checkStructure(object, context.sealed).problems;
    for (const problem of problems) {
      hits.push({
        rule: sealedInvalid,
        path: problem.key === undefined ? ['spec', 'encryptedData'] : ['spec', 'encryptedData', problem.key],
        message: `${problem.key === undefined ? '' : `encryptedData.${problem.key}: `}${problem.message} (${problem.code})`,
      });
    }
    return hits;
  },
};
