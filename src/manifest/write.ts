/**
 * Rendering objects as YAML or JSON, and writing files atomically: every file
 * is written to a temporary sibling, flushed, then renamed over the target,
 * so a reader never sees half a file and a failure leaves nothing behind.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { KsecError, fileError } from '../errors.js';
import type { ManifestFormat } from './read.js';
import { yamlLib } from './yaml-lib.js';

export function formatFromPath(path: string, fallback: ManifestFormat = 'yaml'): ManifestFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return fallback;
}

export function parseFormat(value: string, allowed: readonly string[] = ['yaml', 'json']): string {
  const v = value.toLowerCase() === 'yml' ? 'yaml' : value.toLowerCase();
  if (!allowed.includes(v)) {
    throw new KsecError(`unknown output format "${value}"`, { hint: `use one of: ${allowed.join(', ')}` });
  }
  return v;
}

/** One YAML document; no line folding, so long base64 values stay on one line. */
export function toYaml(value: unknown): string {
  const lib = yamlLib();
  const doc = new lib.Document(value, { aliasDuplicateObjects: false });
  lib.visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && startsLineWithTab(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true });
}

/**
 * A multi-line string whose first line starts with a tab cannot be a block scalar that go-yaml
 * (kubectl, kubeseal) reads: while it detects the block's indentation, a tab after the leading
 * spaces is "a tab character where an indentation space is expected". Such strings are written
 * double-quoted (`"\t..."`) instead.
 */
function startsLineWithTab(text: string): boolean {
  return text.includes('\n') && /^[ ]*\t/.test(text.split('\n').find((line) => line.trim() !== '') ?? '');
}

/** A YAML stream of documents separated by `---`. */
export function renderYaml(values: unknown[]): string {
  return values.map(toYaml).join('---\n');
}

/** Pretty JSON, two-space indent as kubectl/kubeseal print it; several values are concatenated. */
export function renderJson(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v, null, 2) + '\n').join('');
}

export function render(values: unknown[], format: ManifestFormat): string {
  return format === 'json' ? renderJson(values) : renderYaml(values);
}

export interface FileToWrite {
  path: string;
  content: string | Uint8Array;
  /** file mode, e.g. 0o600 for private keys; default 0o644 */
  mode?: number;
}

/** Temporary files written and flushed at once: flushing a tree of outputs one by one waits on the disk per file. */
const WRITE_CONCURRENCY = 16;

/**
 * Writes all files or none: each goes to a temporary sibling first; only when
 * every one is written and flushed are they renamed into place.
 */
export async function writeFilesAtomic(files: FileToWrite[]): Promise<void> {
  // loaded on the first write, not at start-up: node:crypto takes 6-12 ms to load and not every command needs it
  const { randomBytes } = await import('node:crypto');
  const temps = files.map((file) => ({ temp: join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`), file }));
  let failure: { err: unknown; path: string } | undefined;
  let next = 0;
  const writer = async (): Promise<void> => {
    while (failure === undefined && next < temps.length) {
      const { temp, file } = temps[next++]!;
      try {
        await writeFlushed(temp, file);
      } catch (err) {
        failure ??= { err, path: file.path };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, temps.length) }, writer));
  if (failure) {
    await Promise.all(temps.map(({ temp }) => unlink(temp).catch(() => undefined)));
    throw failure.err instanceof KsecError ? failure.err : fileError(failure.err, failure.path, 'write');
  }
  for (const { temp, file } of temps) {
    try {
      await rename(temp, file.path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw fileError(err, file.path, 'write');
    }
  }
}

export async function writeFileAtomic(path: string, content: string | Uint8Array, mode?: number): Promise<void> {
  await writeFilesAtomic([{ path, content, mode }]);
}

async function writeFlushed(temp: string, file: FileToWrite): Promise<void> {
  const mode = file.mode ?? 0o644;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(file.content);
    await handle.chmod(mode); // the umask may have narrowed or widened it
    await handle.sync();
  } finally {
    await handle.close();
  }
}
