/**
 * Kubernetes API failures in words: a Status body's message, or a request
 * that threw as a KsecError (exit 3). Never carries object data.
 */
import { ExitCode, KsecError } from '../errors.js';
import { KubeCredentialsError, type KubeResponse } from './client.js';

/** Reads a Kubernetes Status body's message, or a short fallback; never includes object data. */
export function statusMessage(res: KubeResponse): string {
  try {
    const parsed = JSON.parse(res.body) as { message?: unknown; reason?: unknown };
    if (typeof parsed.message === 'string') return parsed.message.slice(0, 300);
  } catch {
    // not JSON
  }
  return `HTTP ${res.status}`;
}

export interface RequestFailureContext {
  /** the API server URL */
  server: string;
  /** names what was being fetched in the error */
  file?: string;
  /** names the kubeconfig in a credentials error (default: file) */
  credentialsFile?: string;
  /** what the user can do when the API is unreachable */
  unreachableHint: string;
}

/**
 * A request that threw (no HTTP status): `cannot use the kubeconfig's credentials: ...` when the
 * credentials could not be produced, else `cannot reach the Kubernetes API at SERVER: CODE`
 * (ETIMEDOUT for a timeout). Both exit 3.
 */
export function requestFailure(err: unknown, context: RequestFailureContext): KsecError {
  if (err instanceof KubeCredentialsError) {
    return new KsecError(`cannot use the kubeconfig's credentials: ${err.message}`, {
      file: context.credentialsFile ?? context.file,
      hint: 'check the kubeconfig user (token, client certificate or exec plugin)',
      exitCode: ExitCode.environment,
      cause: err.cause,
    });
  }
  const e = err as NodeJS.ErrnoException & { cause?: { name?: string } };
  const timedOut = e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError';
  if (timedOut) {
    return new KsecError(`cannot reach the Kubernetes API at ${context.server}: ETIMEDOUT (no answer within the request timeout)`, {
      file: context.file,
      hint: `${context.unreachableHint}; --request-timeout sets the limit (default 30s, 0 = none)`,
      exitCode: ExitCode.environment,
      cause: err,
    });
  }
  const code = e.code ?? e.message;
  const tls = TLS_VERIFY_CODES.has(String(code));
  return new KsecError(`cannot reach the Kubernetes API at ${context.server}: ${tls ? `${code} (the server's certificate does not verify)` : code}`, {
    file: context.file,
    hint: tls ? 'pass --certificate-authority the cluster\'s CA file (or check the kubeconfig\'s certificate-authority); --insecure-skip-tls-verify skips the check' : context.unreachableHint,
    exitCode: ExitCode.environment,
    cause: err,
  });
}

/** Node's codes for a server certificate that does not verify against the CA in use. */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A 401 or 403 from the API server: `cannot ACTION: the Kubernetes API refused the credentials
 * (HTTP 401)` or `... is forbidden: User "u" cannot get resource ...` (the server's own words,
 * which name the user and the permission, never a credential). Exit 3: the environment, not the
 * input, has to change. Undefined for other statuses.
 */
export function authFailure(res: KubeResponse, action: string, file?: string): KsecError | undefined {
  if (res.status === 401) {
    return new KsecError(`cannot ${action}: the Kubernetes API refused the credentials (HTTP 401 Unauthorized)`, {
      file,
      hint: 'check the token or client certificate (--token, --client-certificate, the kubeconfig user); it may have expired',
      exitCode: ExitCode.environment,
    });
  }
  if (res.status === 403) {
    return new KsecError(`cannot ${action}: HTTP 403 Forbidden: ${statusMessage(res)}`, {
      file,
      hint: 'the user (or --as) needs RBAC permission for it; ask a cluster admin, or use another --context / --user',
      exitCode: ExitCode.environment,
    });
  }
  return undefined;
}
