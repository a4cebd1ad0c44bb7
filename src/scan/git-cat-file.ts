/**
 * Reading blobs through one `git cat-file --batch` process. Its input is one
 * object name a line; its output, per name, `<id> <type> <size>` LF, the
 * object's bytes and LF, or `<name> missing` / `<name> ambiguous` LF.
 */
import { spawn } from 'node:child_process';
import { ExitCode, KsecError } from '../errors.js';
import { oversizeFile, readLimit, type SourceFile } from './sources/source.js';
import type { CommitInfo } from './types.js';

/** A blob to read and the file it stands for. */
export interface BlobRef {
  /** the object name for cat-file: a blob id, or `:path` for the index's entry */
  name: string;
  /** the display path of the file (from the repository root) */
  path: string;
  /** the commit that introduced the blob (range and history sources) */
  commit?: CommitInfo;
}

/** Reads the files next to a file (kustomize envs/files): by the file's path, a reader of paths relative to it. */
export type RelativeReader = (path: string) => (relative: string) => Promise<string | undefined>;

/**
 * The blobs, in the order asked for. Missing names and objects that are not
 * blobs are left out; a blob bigger than `maxFileSize` (capped at
 * MAX_READ_SIZE) comes without content, with `oversize` set. A file read by
 * blob id carries it (`blob`). Throws when git stops before answering every
 * name.
 */
export async function* catFile(root: string, refs: BlobRef[], maxFileSize?: number, relativeReader?: RelativeReader): AsyncGenerator<SourceFile> {
  if (refs.length === 0) return;
  const child = spawn('git', ['cat-file', '--batch'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.on('close', res));
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  child.stdin.end(refs.map((r) => `${r.name}\n`).join(''));
  let buffer: Buffer = Buffer.alloc(0);
  let index = 0;
  /** an oversize blob being passed over: bytes of it (and its LF) still to come */
  let skip: { left: number; file: SourceFile } | undefined;
  const unknown = async () => undefined;
  const limit = readLimit(maxFileSize);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        if (skip) {
          // an oversize blob is not kept in memory: passed over as it streams by
          const n = Math.min(skip.left, buffer.length);
          skip.left -= n;
          buffer = buffer.subarray(n);
          if (skip.left > 0) break;
          index++;
          const file = skip.file;
          skip = undefined;
          yield file;
          continue;
        }
        const eol = buffer.indexOf(10);
        if (eol === -1) break;
        const header = buffer.subarray(0, eol).toString('utf8');
        const ref = refs[index];
        if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
          buffer = buffer.subarray(eol + 1);
          index++;
          continue;
        }
        const parts = header.split(' ');
        const size = Number(parts[2]);
        if (ref && parts[1] === 'blob' && size > limit) {
          buffer = buffer.subarray(eol + 1);
          skip = { left: size + 1, file: oversizeFile(ref.path, size, { ...(ref.name.startsWith(':') ? {} : { blob: parts[0] }), ...ref.commit }) };
          continue;
        }
        if (buffer.length < eol + 1 + size + 1) break;
        const content = Buffer.from(buffer.subarray(eol + 1, eol + 1 + size));
        buffer = buffer.subarray(eol + 1 + size + 1);
        index++;
        if (!ref || parts[1] !== 'blob') continue;
        yield {
          path: ref.path,
          content,
          ...(ref.name.startsWith(':') ? {} : { blob: parts[0] }),
          ...ref.commit,
          readRelative: relativeReader ? relativeReader(ref.path) : unknown,
        };
      }
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  if (code !== 0 && index < refs.length) {
    throw new KsecError(`git cat-file stopped after ${index} of ${refs.length} blobs`, { file: root, exitCode: ExitCode.environment });
  }
}
