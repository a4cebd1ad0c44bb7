/**
 * AWS Secrets Manager, through @aws-sdk/client-secrets-manager. The only
 * module that ever holds secret values: discovery reduces each value to its
 * shape (JSON key names, string or binary) as soon as it arrives, and
 * migration sends values it is handed straight to PutSecretValue. Nothing
 * here logs, and errors carry names, error codes and IAM actions only.
 *
 * The SDK is loaded by openSession (inside the function: a bundle hoists a
 * top-level import, and the SDK costs a command that never calls AWS).
 *
 * Region, credentials and endpoint come from the SDK's standard chain
 * (env, profile, SSO, IRSA web identity; AWS_ENDPOINT_URL_SECRETS_MANAGER).
 * Throttling is retried by the SDK's retry strategy (adaptive unless
 * AWS_RETRY_MODE says otherwise), with exponential backoff and jitter.
 */
import type { SecretListEntry, SecretsManagerClient, Tag } from '@aws-sdk/client-secrets-manager';
import { ExitCode, KsecError } from '../errors.js';
import { awsCaller, clientConfig, countCalls, SECRETS_MANAGER, type AwsOptions, type AwsStats } from './aws-common.js';
import { shapeOf } from './shape.js';
import type { SecretShape } from './generate.js';

export { shapeOf };
export { awsError, type AwsOptions, type AwsStats } from './aws-common.js';

export interface AwsSession {
  client: SecretsManagerClient;
  /** the SDK's module (its command classes) */
  sdk: typeof import('@aws-sdk/client-secrets-manager');
  stats: AwsStats;
}

/** Secrets Manager's limit for BatchGetSecretValue's SecretIdList. */
export const BATCH_SIZE = 20;
const BATCH_CONCURRENCY = 4;
/** AWS's pattern for a ListSecrets filter value. */
const FILTER_VALUE = /^[a-zA-Z0-9 :_@/+=.-]*$/;

/** Calls whose request or response carries secret values: their SDK error is not kept as the cause (see awsCaller). */
const call = awsCaller(SECRETS_MANAGER, new Set(['CreateSecret', 'PutSecretValue', 'BatchGetSecretValue']));

export async function openSession(options: AwsOptions = {}): Promise<AwsSession> {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const client = new sdk.SecretsManagerClient(clientConfig(options));
  return { client, sdk, stats: countCalls(client.middlewareStack) };
}

export interface ListedSecret {
  name: string;
  arn: string;
}

/**
 * Every secret whose name starts with `prefix` (ListSecrets with a `name`
 * filter, 100 a page), secrets scheduled for deletion left out. The filter is
 * a prefix match on AWS's side; the names are checked again here because
 * that match is not case-sensitive everywhere.
 */
export async function listSecrets(session: AwsSession, prefix: string, onPage?: (count: number) => void): Promise<ListedSecret[]> {
  if (!FILTER_VALUE.test(prefix) || prefix.length > 512) {
    throw new KsecError(`invalid path prefix "${prefix}"`, {
      hint: 'Secrets Manager names use letters, digits and / _ + = . @ - (at most 512 characters)',
    });
  }
  const out: ListedSecret[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('ListSecrets', `secrets under "${prefix}"`, () =>
      session.client.send(
        new session.sdk.ListSecretsCommand({
          Filters: prefix === '' ? undefined : [{ Key: 'name', Values: [prefix] }],
          MaxResults: 100,
          IncludePlannedDeletion: false,
          NextToken: nextToken,
        }),
      ),
    );
    const entries = (page.SecretList ?? []).filter(
      (s: SecretListEntry): s is SecretListEntry & { Name: string; ARN: string } =>
        typeof s.Name === 'string' && typeof s.ARN === 'string' && s.Name.startsWith(prefix) && s.DeletedDate === undefined,
    );
    for (const s of entries) out.push({ name: s.Name, arn: s.ARN });
    onPage?.(entries.length);
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return out;
}

export interface ShapeResult {
  /** by secret ARN */
  shapes: Map<string, SecretShape>;
  /** secrets that vanished or were scheduled for deletion between listing and reading */
  skipped: { name: string; reason: string }[];
}

/**
 * The shape of each secret's current value, 20 secrets per
 * BatchGetSecretValue call, a few calls in flight at a time.
 */
export async function readShapes(session: AwsSession, secrets: readonly ListedSecret[], onBatch?: (count: number) => void): Promise<ShapeResult> {
  const shapes = new Map<string, SecretShape>();
  const skipped: { name: string; reason: string }[] = [];
  const denied: string[] = [];
  const byArn = new Map(secrets.map((s) => [s.arn, s.name]));
  const batches: ListedSecret[][] = [];
  for (let i = 0; i < secrets.length; i += BATCH_SIZE) batches.push(secrets.slice(i, i + BATCH_SIZE));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      let nextToken: string | undefined;
      do {
        const out = await call('BatchGetSecretValue', `${batch.length} secrets starting with "${batch[0]!.name}"`, () =>
          session.client.send(new session.sdk.BatchGetSecretValueCommand({ SecretIdList: batch.map((s) => s.arn), NextToken: nextToken })),
        );
        for (const v of out.SecretValues ?? []) {
          if (v.ARN) shapes.set(v.ARN, shapeOf(v.SecretString, v.SecretBinary));
        }
        for (const e of out.Errors ?? []) {
          const name = (e.SecretId && byArn.get(e.SecretId)) ?? e.SecretId ?? '(unknown)';
          if (e.ErrorCode === 'AccessDeniedException') denied.push(name);
          else if (e.ErrorCode === 'ResourceNotFoundException' || e.ErrorCode === 'InvalidRequestException') {
            skipped.push({ name, reason: e.ErrorCode === 'ResourceNotFoundException' ? 'deleted' : 'scheduled for deletion or has no value' });
          } else {
            throw new KsecError(`AWS could not read "${name}": ${e.ErrorCode ?? 'unknown error'}`, { exitCode: ExitCode.environment });
          }
        }
        nextToken = out.NextToken || undefined;
      } while (nextToken);
      onBatch?.(batch.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, batches.length) }, worker));
  if (denied.length > 0) {
    throw new KsecError(
      `AWS denied secretsmanager:GetSecretValue on ${denied.length} secret(s): ${denied.slice(0, 3).join(', ')}${denied.length > 3 ? ', ...' : ''}`,
      {
        exitCode: ExitCode.environment,
        hint: 'BatchGetSecretValue needs secretsmanager:GetSecretValue on every secret it reads (and kms:Decrypt for customer keys); see docs/eso.md',
      },
    );
  }
  return { shapes, skipped };
}

export type UpsertResult = 'created' | 'updated';

/**
 * Creates the secret with `value` and `tags`, or, when it exists, stores
 * `value` as its new current version and sets the tags.
 */
export async function upsertSecret(session: AwsSession, name: string, value: string, tags: Tag[], description?: string): Promise<UpsertResult> {
  try {
    await call('CreateSecret', `"${name}"`, () =>
      session.client.send(new session.sdk.CreateSecretCommand({ Name: name, SecretString: value, Tags: tags, Description: description })),
    );
    return 'created';
  } catch (err) {
    if (!(err instanceof KsecError) || !/ResourceExistsException/.test(err.message)) throw err;
  }
  await call('PutSecretValue', `"${name}"`, () => session.client.send(new session.sdk.PutSecretValueCommand({ SecretId: name, SecretString: value })));
  if (tags.length > 0) await call('TagResource', `"${name}"`, () => session.client.send(new session.sdk.TagResourceCommand({ SecretId: name, Tags: tags })));
  return 'updated';
}

