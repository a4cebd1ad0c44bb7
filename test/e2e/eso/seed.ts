/**
 * Puts a known population of secrets into moto under a unique prefix: nested
 * paths, flat and nested JSON, plain strings, binary values, and some secrets
 * scheduled for deletion. Every value carries a canary that must never show
 * up in ksec's output.
 */
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export type Kind = 'flat' | 'nested' | 'string' | 'binary';

export interface Seeded {
  prefix: string;
  canary: string;
  /** live secrets by name */
  live: Map<string, { kind: Kind; keys: string[] }>;
  deleted: string[];
}

export function uniquePrefix(label: string): string {
  return `ksec-e2e-${label}-${randomBytes(4).toString('hex')}`;
}

export function client(): SecretsManagerClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new SecretsManagerClient({ maxAttempts: 5 });
}

/**
 * `count` live secrets under `prefix/team-T/env-E/svc-N` (the env segment is
 * segment 3), kinds in rotation, and `deleted` more that are then scheduled
 * for deletion.
 */
export async function seed(sm: SecretsManagerClient, prefix: string, count: number, deleted = 0): Promise<Seeded> {
  const canary = `CANARY-${randomBytes(6).toString('hex')}`;
  const kinds: Kind[] = ['flat', 'nested', 'string', 'binary'];
  const live = new Map<string, { kind: Kind; keys: string[] }>();
  const jobs: { name: string; kind: Kind; del: boolean }[] = [];
  for (let i = 0; i < count + deleted; i++) {
    const name = `${prefix}/team-${i % 7}/${i % 2 ? 'production' : 'staging'}/svc-${i}`;
    jobs.push({ name, kind: kinds[i % kinds.length]!, del: i >= count });
  }
  // one at a time: moto 5.x races (HTTP 500, "dictionary changed size during iteration") on concurrent CreateSecret
  for (const { name, kind, del } of jobs) {
    let input: { SecretString?: string; SecretBinary?: Uint8Array };
    let keys: string[] = [];
    switch (kind) {
      case 'flat':
        input = { SecretString: JSON.stringify({ username: `user-${canary}`, password: canary, 'api key': canary }) };
        keys = ['username', 'password', 'api key'];
        break;
      case 'nested':
        input = { SecretString: JSON.stringify({ db: { host: `h-${canary}`, port: 5432 }, token: canary }) };
        keys = ['db', 'token'];
        break;
      case 'string':
        input = { SecretString: canary };
        break;
      case 'binary':
        input = { SecretBinary: Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from(canary)]) };
        break;
    }
    await sm.send(new CreateSecretCommand({ Name: name, ...input }));
    if (del) await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    else live.set(name, { kind, keys });
  }
  return { prefix, canary, live, deleted: jobs.filter((j) => j.del).map((j) => j.name) };
}
