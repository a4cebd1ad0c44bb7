/**
 * Credentials written into a container's environment (kube-linter
 * `env-var-secret`, Checkov CKV_K8S_35, Polaris `sensitiveContainerEnvVar`):
 * a literal `value:` of an `env` entry whose name says it is a credential, or
 * whose value is a URL carrying a password. What the peers' users complain
 * about stays quiet: `valueFrom`, placeholders, and names that point at a
 * secret rather than hold one (`*_FILE`, `*_PATH`, `SECRETS_DIR`,
 * `*_SECRET_NAME`, `*_KEY_ID`, ...).
 */
import { displayName, isRecord, type KubeObject } from '../../manifest/objects.js';
import type { RuleInfo } from '../types.js';
import { isPlaceholder } from './placeholder.js';
import { searchIn, type Hit, type KeyPath, type ObjectRules } from './types.js';

export const containerEnvSecret: RuleInfo = {
  id: 'container-env-secret',
  family: 'container-env',
  severity: 'high',
  name: 'Credential in a container env literal',
  description:
    'A container env entry holds a credential as a literal value, so it is in Git and in every describe of the pod; take it from a Secret (valueFrom.secretKeyRef or envFrom).',
};

/** a credential by its name (any case, any separator) */
const SENSITIVE_NAME = /pass(?:word|wd|phrase)?(?![a-z])|secret|token|api[-_.]?key|private[-_.]?key|access[-_.]?key|(?:encryption|signing|master|client|session|license|auth)[-_.]?key|credential|bearer|dsn$|connection[-_.]?string/i;
/**
 * names that locate, name, size or switch a secret rather than hold it:
 * matched on the last word of the name
 */
const REFERENCE_NAME =
  /(?:^|[-_.])(?:file|files|path|paths|dir|dirs|directory|filename|location|mount|name|names|ref|id|ids|arn|url|uri|endpoint|host|hostname|port|user|username|enabled|enable|disabled|required|type|mode|header|algorithm|alg|ttl|expiry|expiration|expires|timeout|length|size|version|region|issuer|audience|scope|scopes|provider|method|format|role|policy|backend|store|namespace|key[-_.]?id|count|duration|interval|lifetime|field|prefix|suffix|rotation|min|max|length)$/i;
const PUBLIC_NAME = /public[-_.]?key|publishable/i;
/** a URL with a password in its user info: scheme://user:password@host */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:([^/\s@]+)@/i;
/** values that are not credentials whatever the name: paths, switches, numbers */
const NOT_A_CREDENTIAL = /^(?:\/|\.\.?\/|~\/)[^\s]*$|^(?:true|false|yes|no|on|off|enabled|disabled|none|null)$|^\d+(?:\.\d+)?[smhdkKMG]?$/i;

/** where containers sit: any `containers`, `initContainers` or `ephemeralContainers` list, in any kind (CRDs embed pod specs) */
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** an `env` block anywhere in the text, YAML or JSON */
const ENV_KEY = /(?:^|[\s{,"'])env["']?\s*:/m;
/** a `name:` whose value could be a sensitive env name (the cheap test before a file is read into objects) */
const SENSITIVE_NAME_IN_TEXT = /name["']?\s*:\s*["']?[A-Za-z0-9_.-]*?(?:pass|secret|token|key|credential|bearer|dsn|connection)/i;
const URL_PASSWORD_IN_TEXT = /:\/\/[^/\s:@"']*:[^/\s@"']+@/;

export const containerEnvRules: ObjectRules = {
  family: 'container-env',
  rules: [containerEnvSecret],
  keywords: ['env'],
  mayApply: (text, _path, has = searchIn(text)) =>
    has('env') && ENV_KEY.test(text) && (SENSITIVE_NAME_IN_TEXT.test(text) || (text.includes('://') && URL_PASSWORD_IN_TEXT.test(text))),
  check: literalEnvCredentials,
};

/** The credentials an object's containers hold as literal env values (also `ksec doctor`'s hygiene check). */
export function literalEnvCredentials(object: KubeObject): Hit[] {
  const hits: Hit[] = [];
  walk(object, [], hits, displayName(object.kind, 'object'));
  return hits;
}

function walk(node: unknown, path: KeyPath, hits: Hit[], kind: string): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, [...path, i], hits, kind));
    return;
  }
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (CONTAINER_LISTS.has(key) && Array.isArray(value)) {
      value.forEach((container, i) => {
        if (isRecord(container)) checkContainer(container, [...path, key, i], hits, kind);
      });
    } else if (typeof value === 'object' && value !== null) {
      walk(value, [...path, key], hits, kind);
    }
  }
}

function checkContainer(container: Record<string, unknown>, path: KeyPath, hits: Hit[], kind: string): void {
  if (!Array.isArray(container.env)) return;
  const who = typeof container.name === 'string' ? container.name : String(path[path.length - 1]);
  container.env.forEach((entry, i) => {
    if (!isRecord(entry) || entry.valueFrom !== undefined) return;
    const name = typeof entry.name === 'string' ? entry.name : '';
    const value = entry.value;
    if (typeof value !== 'string' || isPlaceholder(value)) return;
    const text = value.trim();
    const url = URL_PASSWORD.exec(text);
    const byValue = url !== null && !isPlaceholder(url[1]) && !/^\$\(?[A-Za-z_]/.test(url[1]!);
    const byName = SENSITIVE_NAME.test(name) && !REFERENCE_NAME.test(name) && !PUBLIC_NAME.test(name) && !NOT_A_CREDENTIAL.test(text) && !/^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(text);
    if (!byName && !byValue) return;
    hits.push({
      rule: containerEnvSecret,
      path: [...path, 'env', i, 'value'],
      message: `${kind} container ${who} sets env ${name || `#${i + 1}`} to a literal ${byValue ? 'URL with a password' : 'credential'}; take it from a Secret (valueFrom.secretKeyRef)`,
    });
  });
}
