/**
 * AWS Secrets Manager, through @aws-sdk/client-secrets-manager. The only
 * module that ever holds secret values: discovery reduces each value to its
 * shape (JSON key names, string or binary) as soon as it arrives, and
 * migration sends values it is handed straight to PutSecretValue. Nothing
 * here logs, and errors carry names, error codes and IAM actions only.
 *
 * Import it lazily (`await import('./aws.js')`): it loads the SDK.
 *
 * Region, credentials and endpoint come from the SDK's standard chain
 * (env, profile, SSO, IRSA web identity; AWS_ENDPOINT_URL_SECRETS_MANAGER).
 * Throttling is retried by the SDK's retry strategy (adaptive unless
 * AWS_RETRY_MODE says otherwise), with exponential backoff and jitter.
 */
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
  type SecretListEntry,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { ExitCode, KsecError } from '../errors.js';
import { isRecord } from '../manifest/objects.js';
import type { SecretShape } from './generate.js';

export interface AwsOptions {
  region?: string;
  profile?: string;
  /** overrides AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL */
  endpoint?: string;
  /** attempts per request, including the first (default 8, or AWS_MAX_ATTEMPTS) */
  maxAttempts?: number;
}

/** Requests made, by operation: `operations` once per call, `requests` once per HTTP attempt (retries included). */
export interface AwsStats {
  operations: Record<string, number>;
  requests: Record<string, number>;
}

export interface AwsSession {
  client: SecretsManagerClient;
  stats: AwsStats;
}

/** Secrets Manager's limit for BatchGetSecretValue's SecretIdList. */
export const BATCH_SIZE = 20;
const BATCH_CONCURRENCY = 4;
/** AWS's pattern for a ListSecrets filter value. */
const FILTER_VALUE = /^[a-zA-Z0-9 :_@/+=.-]*$/;

export function openSession(options: AwsOptions = {}): AwsSession {
  // The SDK warns on every run under Node 20 that its future releases will need Node 22. ksec supports
  // Node 20 with the SDK version it ships, and a CLI user cannot act on the warning: keep stderr for ksec's own lines.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const envAttempts = Number(process.env.AWS_MAX_ATTEMPTS);
  const client = new SecretsManagerClient({
    region: options.region,
    profile: options.profile,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts ?? (Number.isInteger(envAttempts) && envAttempts > 0 ? envAttempts : 8),
    retryMode: process.env.AWS_RETRY_MODE ? undefined : 'adaptive',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
  const stats: AwsStats = { operations: {}, requests: {} };
  const bump = (table: Record<string, number>, name: string) => (table[name] = (table[name] ?? 0) + 1);
  client.middlewareStack.add(
    (next, context) => (args) => {
      bump(stats.operations, operationOf(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'ksecCountOperations' },
  );
  client.middlewareStack.add(
    (next, context) => (args) => {
      bump(stats.requests, operationOf(context.commandName));
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'ksecCountRequests' },
  );
  return { client, stats };
}

function operationOf(commandName: string | undefined): string {
  return (commandName ?? 'unknown').replace(/Command$/, '');
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
        new ListSecretsCommand({
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

/** Reduces a value to its shape; the value itself is not kept. */
export function shapeOf(secretString: string | undefined, secretBinary: Uint8Array | undefined): SecretShape {
  if (secretString !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(secretString);
    } catch {
      return { type: 'string' };
    }
    if (!isRecord(parsed)) return { type: 'string' };
    return { type: 'json', keys: Object.keys(parsed), leaves: leafPaths(parsed, []) };
  }
  if (secretBinary !== undefined) return { type: 'binary' };
  return { type: 'string' };
}

function leafPaths(value: Record<string, unknown>, at: string[]): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (isRecord(v) && Object.keys(v).length > 0) out.push(...leafPaths(v, [...at, k]));
    else out.push([...at, k]);
  }
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
          session.client.send(new BatchGetSecretValueCommand({ SecretIdList: batch.map((s) => s.arn), NextToken: nextToken })),
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
      session.client.send(new CreateSecretCommand({ Name: name, SecretString: value, Tags: tags, Description: description })),
    );
    return 'created';
  } catch (err) {
    if (!(err instanceof KsecError) || !/ResourceExistsException/.test(err.message)) throw err;
  }
  await call('PutSecretValue', `"${name}"`, () => session.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value })));
  if (tags.length > 0) await call('TagResource', `"${name}"`, () => session.client.send(new TagResourceCommand({ SecretId: name, Tags: tags })));
  return 'updated';
}

/**
 * Calls whose request or response carries secret values: their SDK error is not kept as the cause, so
 * `--debug` cannot print an echo of it (a deserialisation error quotes the start of the response body).
 */
const CARRIES_VALUE = new Set(['CreateSecret', 'PutSecretValue', 'BatchGetSecretValue']);

/** Runs one SDK call and turns its failure into a KsecError that names the IAM action; never quotes request data. */
async function call<T>(operation: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const error = awsError(err, operation, what);
    if (!CARRIES_VALUE.has(operation)) throw error;
    throw new KsecError(error.message, { hint: error.hint, exitCode: error.exitCode });
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

export function awsError(err: unknown, operation: string, what: string): KsecError {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const action = `secretsmanager:${operation}`;
  const env = ExitCode.environment;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation') {
    return new KsecError(`AWS denied ${action} (${what})`, {
      exitCode: env,
      hint: `allow the IAM action ${action} for these credentials; docs/eso.md lists the policy`,
      cause: err,
    });
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'ExpiredTokenException') {
    return new KsecError(`AWS rejected the credentials for ${action}: ${name}`, { exitCode: env, hint: 'check AWS_PROFILE / AWS_ACCESS_KEY_ID or refresh the session (aws sso login)', cause: err });
  }
  if (name === 'CredentialsProviderError') {
    return new KsecError('no AWS credentials found', {
      exitCode: env,
      hint: 'set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where IRSA/instance credentials exist',
      cause: err,
    });
  }
  if (/Region is missing/i.test(e.message ?? '')) {
    return new KsecError('no AWS region set', { exitCode: ExitCode.input, hint: 'pass --region or set AWS_REGION', cause: err });
  }
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException') {
    return new KsecError(`AWS kept throttling ${action} after every retry (${what})`, {
      exitCode: env,
      hint: 'retry later, or raise AWS_MAX_ATTEMPTS',
      cause: err,
    });
  }
  const noResponse = e.$metadata?.httpStatusCode === undefined;
  if ((e.code && NETWORK_CODES.has(e.code)) || name === 'TimeoutError' || name === 'RequestTimeout' || (noResponse && /connect|socket|timeout|getaddrinfo/i.test(e.message ?? ''))) {
    return new KsecError(`cannot reach AWS Secrets Manager for ${action}${e.code ? ` (${e.code})` : ''}`, {
      exitCode: env,
      hint: 'check the network, --region and AWS_ENDPOINT_URL_SECRETS_MANAGER',
      cause: err,
    });
  }
  if (name === 'ResourceExistsException') return new KsecError(`ResourceExistsException: ${what} exists`, { exitCode: env, cause: err });
  if (name === 'InvalidRequestException' && operation === 'PutSecretValue') {
    return new KsecError(`AWS refused to update ${what}: it is scheduled for deletion`, {
      exitCode: env,
      hint: 'restore it (aws secretsmanager restore-secret) or migrate to another --path',
      cause: err,
    });
  }
  const status = e.$metadata?.httpStatusCode;
  return new KsecError(`AWS ${operation} failed (${what}): ${name}${status ? ` (HTTP ${status})` : ''}`, { exitCode: env, cause: err });
}
