/**
 * One error model for the whole toolkit. A KsecError is a value with an exit
 * code; its message is one line that names the file and object and never
 * carries a secret value (callers pass names and keys, never data).
 */

export const ExitCode = {
  ok: 0,
  /** findings, invalid objects, stale checksums */
  findings: 1,
  /** bad input or usage */
  input: 2,
  /** cluster, AWS or another peer unreachable */
  environment: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface KsecErrorOptions {
  /** what the user can do about it */
  hint?: string;
  /** file the problem is in ('-' or '<stdin>' for standard input) */
  file?: string;
  /** object the problem is in, e.g. `Secret/default/db` */
  object?: string;
  exitCode?: ExitCode;
  cause?: unknown;
}

export class KsecError extends Error {
  readonly hint: string | undefined;
  readonly file: string | undefined;
  readonly object: string | undefined;
  readonly exitCode: ExitCode;

  constructor(message: string, options: KsecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KsecError';
    this.hint = options.hint;
    this.file = options.file;
    this.object = options.object;
    this.exitCode = options.exitCode ?? ExitCode.input;
  }

  /** A copy that also names the file/object, unless it names them already. */
  within(where: { file?: string; object?: string }): KsecError {
    return new KsecError(this.message, {
      hint: this.hint,
      file: this.file ?? where.file,
      object: this.object ?? where.object,
      exitCode: this.exitCode,
      cause: this.cause,
    });
  }
}

export function isKsecError(err: unknown): err is KsecError {
  return err instanceof KsecError;
}

/** `file: object: message (hint)` on one line. */
export function formatError(err: unknown): string {
  if (err instanceof KsecError) {
    const parts = [err.file && escapeControls(err.file), err.object && escapeControls(err.object), oneLine(err.message)].filter((p): p is string => Boolean(p));
    const text = parts.join(': ');
    return err.hint ? `${text} (${oneLine(err.hint)})` : text;
  }
  if (err instanceof Error) return `unexpected error: ${oneLine(err.message)} (run with --debug for details)`;
  return `unexpected error: ${oneLine(String(err))}`;
}

export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof KsecError ? err.exitCode : ExitCode.input;
}

/** Control characters and line breaks of a name (an object's name can hold any) escaped as `\uXXXX`, so the error stays one line. */
function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Turns a Node system error (ENOENT, EACCES, ...) into a KsecError naming the file. */
export function fileError(err: unknown, file: string, action = 'read'): KsecError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new KsecError(`cannot ${action}: no such file or directory`, { file, hint: 'check the path', cause: err });
    case 'EACCES':
    case 'EPERM':
      return new KsecError(`cannot ${action}: permission denied`, { file, hint: 'check the file permissions', cause: err });
    case 'EISDIR':
      return new KsecError(`cannot ${action}: is a directory`, { file, hint: 'name a file', cause: err });
    default:
      return new KsecError(`cannot ${action}: ${(err as Error)?.message ?? String(err)}`, { file, cause: err });
  }
}
