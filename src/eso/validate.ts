/**
 * The checks ESO's admission webhook makes on an ExternalSecret
 * (apis/externalsecrets/v1/externalsecret_validator.go), plus the name
 * patterns of the CRD schema that sanitising must satisfy. The full CRD
 * schemas are checked in the tests with ajv against the real CRDs.
 */
import { isRecord, type KubeObject } from '../manifest/objects.js';
import { DNS1123_SUBDOMAIN, SECRET_KEY_PATTERN } from './naming.js';

/** Problems with an ExternalSecret, one sentence each; empty when ESO would admit it. */
export function externalSecretProblems(obj: KubeObject): string[] {
  const problems: string[] = [];
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const target = isRecord(spec.target) ? spec.target : {};
  const creation = (target.creationPolicy as string | undefined) ?? 'Owner';
  const deletion = (target.deletionPolicy as string | undefined) ?? 'Retain';
  if (deletion === 'Delete' && (creation === 'Merge' || creation === 'None')) {
    problems.push(`deletionPolicy=Delete needs creationPolicy=Owner (not ${creation}): ESO would delete a Secret it does not own`);
  }
  if (deletion === 'Merge' && creation === 'None') {
    problems.push('deletionPolicy=Merge cannot be used with creationPolicy=None: there is no Secret to merge with');
  }
  const data = Array.isArray(spec.data) ? spec.data : [];
  const dataFrom = Array.isArray(spec.dataFrom) ? spec.dataFrom : [];
  if (data.length === 0 && dataFrom.length === 0) problems.push('either data or dataFrom must be set');
  for (const [i, ref] of dataFrom.entries()) {
    const r = isRecord(ref) ? ref : {};
    const set = ['extract', 'find', 'sourceRef'].filter((k) => r[k] !== undefined);
    if (set.length === 0) problems.push(`dataFrom[${i}]: one of extract, find or sourceRef must be set`);
    if (r.extract !== undefined && r.find !== undefined) problems.push(`dataFrom[${i}]: extract and find cannot be set at the same time`);
  }
  const seen = new Set<string>();
  for (const [i, entry] of data.entries()) {
    const e = isRecord(entry) ? entry : {};
    const key = e.secretKey;
    if (typeof key !== 'string' || !SECRET_KEY_PATTERN.test(key)) {
      problems.push(`data[${i}].secretKey ${JSON.stringify(key)} does not match ${SECRET_KEY_PATTERN.source}`);
    } else if (seen.has(key)) {
      // the webhook checks this only for deletionPolicy=Retain; a duplicate is a mistake under any policy
      problems.push(`duplicate secretKey "${key}"`);
    }
    if (typeof key === 'string') seen.add(key);
    if (!isRecord(e.remoteRef) || typeof e.remoteRef.key !== 'string' || e.remoteRef.key === '') {
      problems.push(`data[${i}].remoteRef.key is missing`);
    }
  }
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || !DNS1123_SUBDOMAIN.test(name)) problems.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 name`);
  if (target.name !== undefined && (typeof target.name !== 'string' || !DNS1123_SUBDOMAIN.test(target.name))) {
    problems.push(`target.name ${JSON.stringify(target.name)} is not a DNS-1123 name`);
  }
  return problems;
}
