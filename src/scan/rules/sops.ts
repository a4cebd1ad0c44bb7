/**
 * SOPS files pass only when every value that should be encrypted is (the
 * file's own encrypted_regex / unencrypted_regex / suffix rules decide) and
 * the sops metadata is intact. The decision is the sops module's
 * (`sopsStatus`); this family only turns it into findings.
 */
import type { RuleInfo } from '../types.js';
import { lazy } from '../lazy.js';
import { searchIn, type FileHit, type FileRules } from './types.js';

const loader = lazy(() => import('../../sops/status.js'));

export const sopsUnencrypted: RuleInfo = {
  id: 'sops-unencrypted-value',
  family: 'sops',
  severity: 'critical',
  name: 'Unencrypted value in a SOPS file',
  description:
    'A value of a SOPS file that its encryption rules say must be encrypted is plaintext (added after encryption?); re-encrypt with `sops -e -i` or `sops updatekeys`.',
};

export const sopsMetadata: RuleInfo = {
  id: 'sops-metadata',
  family: 'sops',
  severity: 'high',
  name: 'Broken SOPS metadata',
  description:
    'The sops metadata (mac, lastmodified, recipients) is missing or damaged, so the file cannot be trusted or decrypted; re-encrypt it with sops.',
};

export const sopsPlaintextPath: RuleInfo = {
  id: 'sops-creation-rule-plaintext',
  family: 'sops',
  severity: 'high',
  name: 'Plaintext file where .sops.yaml says encrypted',
  description:
    "A file's path matches a creation rule's path_regex in the repository's .sops.yaml, so it belongs encrypted, but it has no sops metadata; encrypt it with `sops -e -i` before it is committed.",
};

/** sops metadata markers in YAML, JSON, dotenv and INI files */
const SOPS_MARKER = /^sops:|"sops"\s*:\s*\{|^sops_(mac|version|lastmodified)=|^\[sops\]/m;

export const sopsRules: FileRules = {
  family: 'sops',
  rules: [sopsUnencrypted, sopsMetadata, sopsPlaintextPath],
  keywords: ['sops'],
  mayApply: (text, _path, has = searchIn(text)) => has('sops') && SOPS_MARKER.test(text),
  async check(text: string, path: string): Promise<FileHit[]> {
    const { sopsStatus } = await loader();
    const status = sopsStatus(text, path);
    if (!status.isSops) return [];
    const hits: FileHit[] = [];
    for (const value of status.unencryptedValues) {
      hits.push({
        rule: sopsUnencrypted,
        line: value.line,
        key: value.path,
        message: `${value.path} is not encrypted although the file's SOPS rules say it should be; re-encrypt the file`,
      });
    }
    for (const problem of status.problems) {
      if (problem.code === 'value-unencrypted') continue; // reported above, as unencryptedValues
      hits.push({
        rule: sopsMetadata,
        line: problem.line,
        key: problem.path ?? problem.code,
        message: `${problem.message} (${problem.code})`,
      });
    }
    return hits;
  },
};
