/** kustomize `secretGenerator`: literals and plaintext env/files end up in Git. */
import { basename } from 'node:path';
import { isRecord, type KubeObject } from '../../manifest/objects.js';
import type { RuleInfo } from '../types.js';
import { isPlaceholder } from './placeholder.js';
import { searchIn, type Hit, type ObjectContext, type ObjectRules } from './types.js';

export const generatorLiteral: RuleInfo = {
  id: 'kustomize-secret-literal',
  family: 'kustomize',
  severity: 'critical',
  name: 'secretGenerator literal',
  description:
    'A kustomize secretGenerator has a literal value in Git; generate the Secret from a SOPS-encrypted file (ksops) or use a SealedSecret/ExternalSecret.',
};

export const generatorFile: RuleInfo = {
  id: 'kustomize-secret-file',
  family: 'kustomize',
  severity: 'high',
  name: 'secretGenerator plaintext file',
  description:
    'A kustomize secretGenerator reads envs/files that are committed in plaintext; keep those files out of Git (.gitignore) or encrypt them with SOPS.',
};

/** kustomization files may omit apiVersion/kind */
function isKustomization(object: KubeObject, file: string): boolean {
  if (object.kind === 'Kustomization' && String(object.apiVersion ?? '').startsWith('kustomize.config.k8s.io/')) return true;
  return object.kind === undefined && /^kustomization\.ya?ml$|^Kustomization$/.test(basename(file));
}

export const kustomizeRules: ObjectRules = {
  family: 'kustomize',
  rules: [generatorLiteral, generatorFile],
  keywords: ['secretGenerator'],
  mayApply: (text, _path, has = searchIn(text)) => has('secretGenerator'),
  async check(object: KubeObject, context: ObjectContext): Promise<Hit[]> {
    if (!isKustomization(object, context.file)) return [];
    const generators = object.secretGenerator;
    if (!Array.isArray(generators)) return [];
    const hits: Hit[] = [];
    for (const [g, generator] of generators.entries()) {
      if (!isRecord(generator)) continue;
      const name = typeof generator.name === 'string' ? generator.name : `#${g + 1}`;
      const literals = Array.isArray(generator.literals) ? generator.literals : [];
      for (const [i, literal] of literals.entries()) {
        if (typeof literal !== 'string') continue;
        const eq = literal.indexOf('=');
        const key = eq === -1 ? literal : literal.slice(0, eq);
        if (eq === -1 || isPlaceholder(literal.slice(eq + 1))) continue;
        hits.push({
          rule: generatorLiteral,
          path: ['secretGenerator', g, 'literals', i],
          message: `secretGenerator ${name} has a literal value for ${key}; load it from an encrypted source instead`,
        });
      }
      for (const field of ['envs', 'files', 'env'] as const) {
        const raw = generator[field];
        const entries = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
        for (const [i, entry] of entries.entries()) {
          if (typeof entry !== 'string') continue;
          const target = field === 'files' && entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
          const text = await context.readRelative(target);
          if (text === undefined || text.trim() === '' || isSopsEncrypted(text)) continue;
          hits.push({
            rule: generatorFile,
            path: ['secretGenerator', g, field, ...(Array.isArray(raw) ? [i] : [])],
            message: `secretGenerator ${name} reads ${target}, which is committed in plaintext; ignore it in Git or encrypt it with SOPS`,
          });
        }
      }
    }
    return hits;
  },
};

/** SOPS metadata present: the file is encrypted (the sops rules check it is done right). */
function isSopsEncrypted(text: string): boolean {
  return /^sops:\s*$/m.test(text) || /"sops"\s*:\s*\{/.test(text) || /^sops_mac=/m.test(text) || /^\s*sops_mac\s*=/m.test(text);
}
