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
  return new KsecError(`cannot reach the Kubernetes API at ${context.server}: ${timedOut ? 'ETIMEDOUT' : (e.code ?? e.message)}`, {
    file: context.file,
    hint: context.unreachableHint,
    exitCode: ExitCode.environment,
    cause: err,
  });
}
