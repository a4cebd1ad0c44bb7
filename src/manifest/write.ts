/**
 * Rendering objects as YAML or JSON, and writing files atomically: every file
 * is written to a temporary sibling, flushed, then renamed over the target,
 * so a reader never sees half a file and a failure leaves nothing behind.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { KsecError, fileError } from '../errors.js';
import type { ManifestFormat } from './read.js';
import { escapeForGoYaml, needsEscapes, plainMisreads } from './go-yaml-strings.js';
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

/**
 * One YAML document; no line folding, so long base64 values stay on one line.
 * What is written is read back as the same value by go-yaml v2 under
 * sigs.k8s.io/yaml (kubectl, the API server, kubeseal; YAML 1.1), not only by
 * YAML 1.2 readers (go-yaml-strings.ts says how;
 * test/e2e/manifest/yaml-writer-roundtrip.test.ts checks it against go-yaml).
 */
export function toYaml(value: unknown): string {
  const lib = yamlLib();
  const doc = new lib.Document(value, { aliasDuplicateObjects: false });
  lib.visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string') return;
      if (needsEscapes(node.value) || badAsBlock(node.value)) node.type = 'QUOTE_DOUBLE';
      else if (plainMisreads(node.value) && node.type !== 'QUOTE_SINGLE') node.type = 'QUOTE_DOUBLE';
    },
  });
  // every character needsEscapes finds is now inside a double-quoted scalar
  return escapeForGoYaml(doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true }));
}

/**
 * A multi-line string cannot be a block scalar that go-yaml reads back the same when its first
 * line that is not empty is all blanks (go-yaml takes the block's indentation from it and keeps
 * none of its spaces) or starts with a tab after any spaces ("a tab character where an indentation
 * space is expected"). Such strings are written double-quoted (`"\t..."`, `" \n"`) instead.
 */
function badAsBlock(text: string): boolean {
  if (!text.includes('\n')) return false;
  const first = text.split('\n').find((line) => line !== '') ?? '';
  return /^[ \t]*$/.test(first) || /^ *\t/.test(first);
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
