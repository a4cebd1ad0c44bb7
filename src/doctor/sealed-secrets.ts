/**
 * Sealed Secrets health: the controller, its keys (count, renewal, certificate expiry) and every
 * SealedSecret (Synced, observedGeneration, the Secret it produced). Only certificates and key
 * names are read from the key Secrets; no value is ever part of a check.
 */
import { X509Certificate } from 'node:crypto';
import type { KubeClient } from '../kube/client.js';
import { getOne, listAll, notListed } from './api.js';
import type { DoctorCheck } from './types.js';

export interface SealedSecretsOptions {
  controllerName: string;
  controllerNamespace: string;
  /** the controller's --key-renew-period in ms (default 30 days); 0: renewal off, not checked */
  keyRenewPeriodMs: number;
  now: Date;
}

interface Meta {
  name: string;
  namespace?: string;
  generation?: number;
  creationTimestamp?: string;
  ownerReferences?: { kind: string; name: string }[];
}
interface KeySecret {
  metadata: Meta;
  data?: Record<string, string>;
}
interface SealedSecretObject {
  metadata: Meta;
  spec?: { encryptedData?: Record<string, string>; template?: { data?: Record<string, string> } };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; message?: string }[] };
}
interface SecretObject {
  metadata: Meta;
  data?: Record<string, string>;
}

const DAY = 86_400_000;
const area = 'sealed-secrets' as const;

export async function checkSealedSecrets(client: KubeClient, options: SealedSecretsOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const { controllerName: name, controllerNamespace: ns } = options;
  const service = await getOne(client, `/api/v1/namespaces/${ns}/services/${name}`);
  const controller = `Service/${ns}/${name}`;
  if (service.ok) checks.push({ area, check: 'controller', object: controller, status: 'ok', reason: 'the controller\'s Service exists' });
  else if (service.status === 403) checks.push({ area, check: 'controller', object: controller, status: 'warn', reason: 'not checked: cannot get the Service (forbidden)', hint: 'grant get on services in the controller namespace' });
  else checks.push({ area, check: 'controller', object: controller, status: 'fail', reason: 'no such Service: kubeseal --fetch-cert and seal --fetch-cert will fail', hint: 'pass --controller-name/--controller-namespace as installed (kubeseal\'s flags)' });

  checks.push(...(await keyChecks(client, options)));
  checks.push(...(await sealedSecretChecks(client)));
  return checks;
}

async function keyChecks(client: KubeClient, options: SealedSecretsOptions): Promise<DoctorCheck[]> {
  const ns = options.controllerNamespace;
  const listed = await listAll<KeySecret>(client, `/api/v1/namespaces/${ns}/secrets`, 'sealedsecrets.bitnami.com/sealed-secrets-key');
  if (!listed.ok) return [{ area, check: 'keys', object: `Namespace/${ns}`, ...notListed('the controller\'s key Secrets', listed) }];
  const keys = listed.items
    .map((s) => ({ name: s.metadata.name, cert: certificateOf(s) }))
    .filter((k): k is { name: string; cert: X509Certificate } => k.cert !== undefined)
    .sort((a, b) => Date.parse(a.cert.validFrom) - Date.parse(b.cert.validFrom));
  if (keys.length === 0) {
    return [{ area, check: 'keys', object: `Namespace/${ns}`, status: 'fail', reason: 'no sealing key Secret (label sealedsecrets.bitnami.com/sealed-secrets-key) with a certificate', hint: 'is the controller installed in this namespace? (--controller-namespace)' }];
  }
  const newest = keys[keys.length - 1]!;
  const object = `Secret/${ns}/${newest.name}`;
  const checks: DoctorCheck[] = [{ area, check: 'keys', object: `Namespace/${ns}`, status: 'ok', reason: `${keys.length} sealing key(s); the newest is ${newest.name}` }];
  const now = options.now.getTime();
  const notAfter = Date.parse(newest.cert.validTo);
  const notBefore = Date.parse(newest.cert.validFrom);
  if (notAfter <= now) {
    checks.push({ area, check: 'key-expiry', object, status: 'fail', reason: `the newest certificate expired on ${iso(notAfter)}: kubeseal and ksec refuse to seal for it`, hint: 'let the controller renew its key (restart it, or check --key-renew-period), then fetch the new certificate' });
  } else if (notAfter - now < 30 * DAY) {
    checks.push({ area, check: 'key-expiry', object, status: 'warn', reason: `the newest certificate expires on ${iso(notAfter)}, in ${Math.ceil((notAfter - now) / DAY)} day(s)`, hint: 'renew the controller key before then' });
  } else {
    checks.push({ area, check: 'key-expiry', object, status: 'ok', reason: `the newest certificate is valid until ${iso(notAfter)}` });
  }
  if (options.keyRenewPeriodMs > 0) {
    const age = now - notBefore;
    const late = age > options.keyRenewPeriodMs + DAY;
    checks.push({
      area,
      check: 'key-renewal',
      object,
      status: late ? 'warn' : 'ok',
      reason: late
        ? `the newest key is ${Math.floor(age / DAY)} day(s) old, more than the renew period (${Math.round(options.keyRenewPeriodMs / DAY)} days): renewal is not happening`
        : `the newest key is ${Math.floor(age / DAY)} day(s) old (renew period ${Math.round(options.keyRenewPeriodMs / DAY)} days)`,
      ...(late ? { hint: 'check the controller\'s --key-renew-period and its logs; pass --key-renew-period 0 if renewal is off on purpose' } : {}),
    });
  }
  return checks;
}

function certificateOf(secret: KeySecret): X509Certificate | undefined {
  const pem = secret.data?.['tls.crt'];
  if (!pem) return undefined;
  try {
    return new X509Certificate(Buffer.from(pem, 'base64'));
  } catch {
    return undefined;
  }
}

async function sealedSecretChecks(client: KubeClient): Promise<DoctorCheck[]> {
  const listed = await listAll<SealedSecretObject>(client, '/apis/bitnami.com/v1alpha1/sealedsecrets');
  if (!listed.ok) return [{ area, check: 'sealedsecrets', ...notListed('SealedSecrets', listed) }];
  const checks: DoctorCheck[] = [];
  let healthy = 0;
  await forEachLimited(listed.items, 8, async (ss) => {
    const problems = await sealedSecretProblems(client, ss);
    if (problems.length === 0) healthy++;
    checks.push(...problems);
  });
  checks.sort((a, b) => (a.object ?? '').localeCompare(b.object ?? '') || a.check.localeCompare(b.check));
  checks.unshift({ area, check: 'sealedsecrets', status: 'ok', reason: `${listed.items.length} SealedSecret(s), ${healthy} synced with their Secret as sealed` });
  return checks;
}

async function sealedSecretProblems(client: KubeClient, ss: SealedSecretObject): Promise<DoctorCheck[]> {
  const { name, namespace = 'default', generation } = ss.metadata;
  const object = `SealedSecret/${namespace}/${name}`;
  const out: DoctorCheck[] = [];
  const synced = ss.status?.conditions?.find((c) => c.type === 'Synced');
  if (!synced) {
    out.push({ area, check: 'synced', object, status: 'warn', reason: 'no Synced condition: the controller has not processed it', hint: 'is the controller running and watching this namespace?' });
  } else if (synced.status !== 'True') {
    out.push({ area, check: 'synced', object, status: 'fail', reason: `Synced is ${synced.status}: ${oneLine(synced.message ?? 'no message')}`, hint: 'reseal it with the controller\'s current certificate (ksec seal / ksec reencrypt)' });
  }
  if (generation !== undefined && ss.status?.observedGeneration !== undefined && ss.status.observedGeneration !== generation) {
    out.push({ area, check: 'observed-generation', object, status: 'warn', reason: `observedGeneration ${ss.status.observedGeneration} != generation ${generation}: the latest change is not processed yet` });
  }
  const secret = await getOne<SecretObject>(client, `/api/v1/namespaces/${namespace}/secrets/${name}`);
  if (!secret.ok) {
    if (secret.status === 404) out.push({ area, check: 'secret', object, status: 'fail', reason: 'its Secret does not exist', hint: 'see the SealedSecret\'s events (kubectl describe sealedsecret)' });
    else out.push({ area, check: 'secret', object, status: 'warn', reason: `not checked: cannot get its Secret (${secret.status})` });
    return out;
  }
  const owned = secret.object.metadata.ownerReferences?.some((o) => o.kind === 'SealedSecret' && o.name === name);
  if (!owned) {
    out.push({ area, check: 'secret-owner', object, status: 'warn', reason: 'its Secret is not owned by the SealedSecret: the controller will not update it', hint: 'delete the Secret (the controller re-creates it) or annotate it sealedsecrets.bitnami.com/managed: "true"' });
  }
  const sealedKeys = new Set([...Object.keys(ss.spec?.encryptedData ?? {}), ...Object.keys(ss.spec?.template?.data ?? {})]);
  const secretKeys = Object.keys(secret.object.data ?? {});
  const missing = [...sealedKeys].filter((k) => !secretKeys.includes(k));
  const extra = secretKeys.filter((k) => !sealedKeys.has(k));
  if (owned && (missing.length > 0 || extra.length > 0)) {
    const parts = [missing.length ? `missing ${missing.map(quote).join(', ')}` : '', extra.length ? `not sealed ${extra.map(quote).join(', ')}` : ''].filter(Boolean);
    out.push({ area, check: 'secret-drift', object, status: 'warn', reason: `its Secret's keys differ from what was sealed: ${parts.join('; ')}`, hint: 'someone edited the Secret; the controller restores it on the next change of the SealedSecret' });
  }
  return out;
}

const quote = (key: string) => JSON.stringify(key);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const oneLine = (text: string) => text.replace(/\s+/g, ' ').slice(0, 300);

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
