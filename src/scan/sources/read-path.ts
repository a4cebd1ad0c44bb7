/** Reading one file of a path source, on the main thread or in a scan worker. */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileError } from '../../errors.js';
import { oversizeFile, readLimit, type SourceFile } from './source.js';

/** a file that fits is read with one read into this buffer (no fstat) */
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * The file at `path` (absolute, or relative to `base`, which ends with a
 * separator): undefined when it is gone or a directory; a file bigger than
 * `maxFileSize` (capped at MAX_READ_SIZE) comes back without content and with
 * `oversize` set, an unreadable file with `unreadable` set, so the scan
 * reports either and goes on. With `borrow`, a file that fits the scratch
 * buffer comes back as a view of it, valid only until the next call: for a
 * reader that is done with each file before it reads the next (a scan
 * worker).
 */
export function readPathSync(path: string, base: string, maxFileSize?: number, borrow = false): SourceFile | undefined {
  const full = isAbsolute(path) ? path : base + path;
  const limit = readLimit(maxFileSize);
  let content: Buffer;
  try {
    const fd = openSync(full, 'r');
    try {
      const n = readSync(fd, scratch, 0, scratch.length, 0);
      if (n < scratch.length) {
        if (n > limit) return oversizeFile(path, n);
        if (borrow) {
          content = scratch.subarray(0, n);
        } else {
          content = Buffer.allocUnsafe(n);
          scratch.copy(content, 0, 0, n);
        }
      } else {
        const size = fstatSync(fd).size;
        if (size > limit) return oversizeFile(path, size);
        content = readFileSync(fd);
        if (content.length > limit) return oversizeFile(path, content.length); // grew while read
      }
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined; // deleted but tracked, submodule
    return { path, content: Buffer.alloc(0), unreadable: fileError(err, path), readRelative: async () => undefined };
  }
  return { path, content, readRelative: (rel) => readFile(resolve(dirname(full), rel), 'utf8').catch(() => undefined) };
}
