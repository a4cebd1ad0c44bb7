/** Values of `ksec eso` flags, checked: one clear error per bad value (exit 2), the flag named in it. */
import { KsecError } from '../errors.js';
import { warn } from '../terminal/messages.js';
import { ESO_API_VERSIONS, type EsoApiVersion } from '../eso/manifests.js';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from '../eso/naming.js';

export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const hit = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!hit) throw new KsecError(`${flag} "${value}" is not one of: ${allowed.join(', ')}`, { hint: `pass ${flag} ${allowed[0]}` });
  return hit;
}

export function dnsName(value: string, flag: string): string {
  if (!DNS1123_SUBDOMAIN.test(value) || value.length > 253) {
    throw new KsecError(`${flag} "${value}" is not a valid Kubernetes name`, { hint: 'use lower-case letters, digits, - and .' });
  }
  return value;
}

export function namespaceFlag(value: string | undefined, flag = '--namespace'): string | undefined {
  if (value === undefined) return undefined;
  if (!DNS1123_LABEL.test(value) || value.length > 63) {
    throw new KsecError(`${flag} "${value}" is not a valid namespace name`, { hint: 'use lower-case letters, digits and -, at most 63' });
  }
  return value;
}

/** Go duration as ESO's refreshInterval takes it: `1h`, `15m`, `1h30m`, `0s`. */
export function goDuration(value: string, flag: string): string {
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(value) && value !== '0') {
    throw new KsecError(`${flag} "${value}" is not a duration`, { hint: 'use a Go duration such as 1h, 15m or 0s (fetch once)' });
  }
  return value;
}

export function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new KsecError(`${flag} "${value}" is not a positive whole number`, { hint: `e.g. ${flag} 2` });
  return n;
}

/** The ESO API version; v1beta1 still works with old operators but newer ones reject it. */
export function apiVersionFlag(value: string): EsoApiVersion {
  const version = oneOf(value.replace(/^external-secrets\.io\//, ''), ESO_API_VERSIONS, '--api-version');
  if (version === 'v1beta1') {
    warn('external-secrets.io/v1beta1 is not served by ESO v0.17 and later; use it only for older operators (default: v1)');
  }
  return version;
}

/** `key=value` pairs from a repeatable flag. */
export function keyValues(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0) throw new KsecError(`${flag} "${v}" is not key=value`, { hint: `e.g. ${flag} team=payments` });
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

