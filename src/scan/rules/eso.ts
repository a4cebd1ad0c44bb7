/** External Secrets Operator objects: allowed, unless credentials are written inline. */
import { isRecord, type KubeObject } from '../../manifest/objects.js';
import type { RuleInfo } from '../types.js';
import { isPlaceholder, SENSITIVE_KEY } from './placeholder.js';
import { searchIn, type Hit, type KeyPath, type ObjectRules } from './types.js';

export const esoInline: RuleInfo = {
  id: 'eso-inline-credentials',
  family: 'eso',
  severity: 'critical',
  name: 'Inline credentials in External Secrets',
  description:
    'An ExternalSecret/SecretStore writes a credential inline; reference a Kubernetes Secret (secretRef) or use workload identity (IRSA, service account) instead.',
};

const STORE_KINDS = new Set(['SecretStore', 'ClusterSecretStore']);
const EXTERNAL_KINDS = new Set(['ExternalSecret', 'ClusterExternalSecret', 'PushSecret']);
/** keys that name or locate a secret rather than hold one */
const REFERENCE_KEY = /(Ref|Name|Namespace|Path|Property|Version|Region|Url|URL|Endpoint|Server|Field|Format|Type)$|^(key|name|namespace|property|path)$/;

const STORE_KIND = /kind["']?\s*:\s*["']?(?:Cluster)?SecretStore["']?\s*(?:[,}#\r\n]|$)/gm;

/**
 * Stores carry provider credentials; an ExternalSecret without a template can
 * only name a store (`secretStoreRef: {kind: ClusterSecretStore}`), so a file
 * is parsed when it names a store kind more often than it references one.
 */
function mayHoldStore(text: string): boolean {
  const kinds = text.match(STORE_KIND)?.length ?? 0;
  if (kinds === 0) return false;
  // `[sS]toreRef` counted with indexOf: a regex that starts with a class tries every position
  let refs = 0;
  for (let i = text.indexOf('toreRef'); i !== -1; i = text.indexOf('toreRef', i + 7)) {
    const before = text.charCodeAt(i - 1);
    if (before === 115 || before === 83) refs++;
  }
  return kinds > refs;
}

export const esoRules: ObjectRules = {
  family: 'eso',
  rules: [esoInline],
  keywords: ['external-secrets.io'],
  mayApply: (text, _path, has = searchIn(text)) => has('external-secrets.io') && (text.includes('template') || !text.includes('ExternalSecret') || mayHoldStore(text)),
  check(object: KubeObject): Hit[] {
    if (!String(object.apiVersion ?? '').startsWith('external-secrets.io/') && !String(object.apiVersion ?? '').startsWith('generators.external-secrets.io/')) return [];
    const spec = object.spec;
    if (!isRecord(spec)) return [];
    const hits: Hit[] = [];
    const kind = object.kind ?? '';
    if (STORE_KINDS.has(kind)) {
      walk(spec.provider, ['spec', 'provider'], hits, kind);
    } else if (EXTERNAL_KINDS.has(kind)) {
      const template = isRecord(spec.target) && isRecord(spec.target.template) ? spec.target.template : undefined;
      if (template && isRecord(template.data)) {
        for (const [key, value] of Object.entries(template.data)) {
          if (SENSITIVE_KEY.test(key) && !isPlaceholder(value)) {
            hits.push({ rule: esoInline, path: ['spec', 'target', 'template', 'data', key], message: `${kind} template data ${key} is a literal credential; template it from the fetched data ({{ .${key} }})` });
          }
        }
      }
    } else {
      walk(spec, ['spec'], hits, kind);
    }
    return hits;
  },
};

function walk(node: unknown, path: KeyPath, hits: Hit[], kind: string): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, [...path, i], hits, kind));
    return;
  }
  if (!isRecord(node)) return;
  // the fake provider keeps its values in the manifest by design
  if (path[path.length - 1] === 'fake' && Array.isArray(node.data)) {
    node.data.forEach((entry, i) => {
      if (isRecord(entry) && (!isPlaceholder(entry.value) || isRecord(entry.valueMap))) {
        hits.push({ rule: esoInline, path: [...path, 'data', i], message: `${kind} fake provider holds a literal value; use a real provider outside of tests` });
      }
    });
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string') {
      if (SENSITIVE_KEY.test(key) && !REFERENCE_KEY.test(key) && !isPlaceholder(value)) {
        hits.push({ rule: esoInline, path: [...path, key], message: `${kind} has an inline credential at ${[...path, key].join('.')}; use a secretRef` });
      }
    } else {
      walk(value, [...path, key], hits, kind);
    }
  }
}
