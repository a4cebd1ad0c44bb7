/** Every rule family, and the selection `--rules` makes from them. */
import { KsecError } from '../../errors.js';
import type { RuleFamily, RuleInfo } from '../types.js';
import { antipatternRules } from './antipatterns.js';
import { containerEnvRules } from './container-env.js';
import { credentialRules } from './credentials.js';
import { esoRules } from './eso.js';
import { k8sSecretRules } from './k8s-secret.js';
import { kustomizeRules } from './kustomize.js';
import { SCAN_RULES } from './limits.js';
import { sealedRules } from './sealed-secret.js';
import { sopsRules } from './sops.js';
import type { FileRules, GlobalRules, ObjectRules, TextRules } from './types.js';

export const OBJECT_RULES: ObjectRules[] = [k8sSecretRules, kustomizeRules, sealedRules, esoRules, containerEnvRules];
export const TEXT_RULES: TextRules[] = [credentialRules];
export const FILE_RULES: FileRules[] = [sopsRules];
export const GLOBAL_RULES: GlobalRules[] = [antipatternRules];

/** every keyword of the families that read single files: a file with none of them can have no finding */
export const ALL_KEYWORDS: string[] = [...new Set([...TEXT_RULES, ...FILE_RULES, ...OBJECT_RULES].flatMap((f) => f.keywords))];

export const ALL_RULES: RuleInfo[] = [...SCAN_RULES, ...[...OBJECT_RULES, ...FILE_RULES, ...TEXT_RULES, ...GLOBAL_RULES].flatMap((f) => f.rules)];

export const SECRET_FAMILIES: RuleFamily[] = ['k8s-secret', 'kustomize', 'sops', 'sealed-secret', 'eso', 'container-env', 'credentials'];
export const ALL_FAMILIES: RuleFamily[] = [...SECRET_FAMILIES, 'antipatterns'];

/** Rules a scan runs: families, single rule ids, `secrets` (the default) and `all`. */
export interface RuleSelection {
  families: Set<RuleFamily>;
  /** rule ids, or undefined for every rule of the selected families */
  ids?: Set<string>;
}

export function selectRules(spec: string | undefined): RuleSelection {
  const names = (spec ?? 'secrets').split(',').map((s) => s.trim()).filter(Boolean);
  const families = new Set<RuleFamily>();
  const ids = new Set<string>();
  for (const name of names) {
    if (name === 'secrets') SECRET_FAMILIES.forEach((f) => families.add(f));
    else if (name === 'all') ALL_FAMILIES.forEach((f) => families.add(f));
    else if ((ALL_FAMILIES as string[]).includes(name)) families.add(name as RuleFamily);
    else {
      const rule = ALL_RULES.find((r) => r.id === name);
      if (!rule) {
        throw new KsecError(`unknown rule or rule family "${name}"`, {
          hint: `use secrets, antipatterns, all, a family (${ALL_FAMILIES.join(', ')}) or a rule id (ksec scan --list-rules)`,
        });
      }
      families.add(rule.family);
      ids.add(rule.id);
    }
  }
  // a family named in full wins over single ids of it
  const wholeFamilies = new Set(names.filter((n) => n === 'secrets' || n === 'all' || (ALL_FAMILIES as string[]).includes(n)).flatMap((n) => (n === 'secrets' ? SECRET_FAMILIES : n === 'all' ? ALL_FAMILIES : [n as RuleFamily])));
  families.add('scan'); // on whatever the choice: what the scan could not read is never passed over
  if (ids.size === 0) return { families };
  for (const rule of SCAN_RULES) ids.add(rule.id);
  for (const rule of ALL_RULES) if (wholeFamilies.has(rule.family)) ids.add(rule.id);
  return { families, ids };
}

export function ruleEnabled(selection: RuleSelection, rule: RuleInfo): boolean {
  return selection.families.has(rule.family) && (selection.ids === undefined || selection.ids.has(rule.id));
}
