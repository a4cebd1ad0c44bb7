/**
 * What the Secrets Manager (aws.ts) and Parameter Store (ssm.ts) clients
 * share: the client settings (retries, timeouts), the per-operation call
 * counter behind `--stats`, and the translation of an SDK failure into a
 * KsecError that names the IAM action and never quotes request data.
 * Loads no SDK.
 */
import { ExitCode, KsecError } from '../errors.js';

export interface AwsOptions {
  region?: string;
  profile?: string;
  /** overrides AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL */
  endpoint?: string;
  /** attempts per request, including the first (default 8, or AWS_MAX_ATTEMPTS) */
  maxAttempts?: number;
}

/** Requests made, by operation: `operations` once per call, `requests` once per HTTP attempt (retries included). */
export interface AwsStats {
  operations: Record<string, number>;
  requests: Record<string, number>;
}

/** An AWS service as error messages name it. */
export interface AwsApi {
  /** IAM action prefix: `secretsmanager`, `ssm` */
  iam: string;
  title: string;
  /** the SDK's per-service endpoint variable */
  endpointEnv: string;
}

export const SECRETS_MANAGER: AwsApi = { iam: 'secretsmanager', title: 'AWS Secrets Manager', endpointEnv: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' };
export const PARAMETER_STORE: AwsApi = { iam: 'ssm', title: 'AWS Systems Manager Parameter Store', endpointEnv: 'AWS_ENDPOINT_URL_SSM' };

/** Client settings both SDK clients take: adaptive retries (unless AWS_RETRY_MODE says otherwise), 8 attempts, timeouts. */
export function clientConfig(options: AwsOptions) {
  // The SDK warns on every run under Node 20 that its future releases will need Node 22. ksec supports
  // Node 20 with the SDK version it ships, and a CLI user cannot act on the warning: keep stderr for ksec's own lines.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const envAttempts = Number(process.env.AWS_MAX_ATTEMPTS);
  return {
    region: options.region,
    profile: options.profile,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts ?? (Number.isInteger(envAttempts) && envAttempts > 0 ? envAttempts : 8),
    retryMode: process.env.AWS_RETRY_MODE ? undefined : 'adaptive',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  };
}

/** The part of an SDK client's middleware stack countCalls uses (structural, so no SDK type is imported). */
interface MiddlewareStack {
  add(middleware: (next: (args: any) => any, context: { commandName?: string }) => (args: any) => any, options: Record<string, unknown>): void;
}

/** Counts each call (once) and each HTTP attempt (retries included) by operation, into the returned stats. */
export function countCalls(stack: MiddlewareStack): AwsStats {
  const stats: AwsStats = { operations: {}, requests: {} };
  const bump = (table: Record<string, number>, name: string) => (table[name] = (table[name] ?? 0) + 1);
  stack.add(
    (next, context) => (args) => {
      bump(stats.operations, operationOf(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'ksecCountOperations' },
  );
  stack.add(
    (next, context) => (args) => {
      bump(stats.requests, operationOf(context.commandName));
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'ksecCountRequests' },
  );
  return stats;
}

function operationOf(commandName: string | undefined): string {
  return (commandName ?? 'unknown').replace(/Command$/, '');
}

/**
 * A function that runs one SDK call and turns its failure into a KsecError naming the IAM action.
 * For the operations in `carriesValue` (their request or response holds secret values) the SDK error
 * is not kept as the cause, so `--debug` cannot print an echo of it (a deserialisation error quotes
 * the start of the response body).
 */
export function awsCaller(service: AwsApi, carriesValue: ReadonlySet<string>) {
  return async function call<T>(operation: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const error = awsError(err, operation, what, service);
      if (!carriesValue.has(operation)) throw error;
      throw new KsecError(error.message, { hint: error.hint, exitCode: error.exitCode });
    }
  };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

export function awsError(err: unknown, operation: string, what: string, service: AwsApi = SECRETS_MANAGER): KsecError {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const action = `${service.iam}:${operation}`;
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
    return new KsecError(`cannot reach ${service.title} for ${action}${e.code ? ` (${e.code})` : ''}`, {
      exitCode: env,
      hint: `check the network, --region and ${service.endpointEnv}`,
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
