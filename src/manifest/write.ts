/**
 * Rendering objects as YAML or JSON, and writing files atomically: every file
 * is written to a temporary sibling, flushed, then renamed over the target,
 * so a reader never sees half a file and a failure leaves nothing behind.
 */
import { once } from 'node:events';
import { writeSync } from 'node:fs';
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
  return yamlLib().stringify(value, { lineWidth: 0, minContentWidth: 0, indentSeq: true, aliasDuplicateObjects: false });
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

/**
 * Writes to stdout through its file descriptor, blocking until written. Creating `process.stdout`
 * costs a one-key seal several ms of start-up on a pipe (it loads the net module), and nothing here
 * needs the stream. A reader that closed early (`ksec ... | head`) is the reader's choice, not an
 * error: the rest of the output is dropped and the run still ends with its own exit code (a scan
 * with findings still fails under `set -o pipefail`). A non-blocking pipe that is full (EAGAIN: left
 * so by another process) gets the rest, and every later write, through the stream, which waits for
 * it to drain.
 */
export async function writeStdout(text: string | Uint8Array): Promise<void> {
  writeTo(stdout, text);
  if (stdout.stream?.writableNeedDrain) await once(stdout.stream, 'drain');
}

export function writeStdoutSync(text: string | Uint8Array): void {
  writeTo(stdout, text);
}

/** Messages and warnings: stderr the same way, so a short run never creates `process.stderr` either. */
export function writeStderr(text: string): void {
  writeTo(stderr, text);
}

/** True while output handed to a stream (see writeTo) has not reached its file descriptor yet. */
export function outputPending(): boolean {
  return [stdout, stderr].some((channel) => !channel.readerGone && (channel.stream?.writableLength ?? 0) > 0);
}

interface Channel {
  fd: number;
  open(): NodeJS.WriteStream;
  /** the stream, once a full pipe made it take over */
  stream?: NodeJS.WriteStream;
  readerGone: boolean;
}
const stdout: Channel = { fd: 1, open: () => process.stdout, readerGone: false };
const stderr: Channel = { fd: 2, open: () => process.stderr, readerGone: false };

function writeTo(channel: Channel, text: string | Uint8Array): void {
  if (channel.readerGone) return;
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  if (channel.stream) {
    channel.stream.write(bytes);
    return;
  }
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(channel.fd, bytes, offset);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') {
      channel.readerGone = true;
      return;
    }
    if (code !== 'EAGAIN') throw err;
    channel.stream = channel.open().on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      channel.readerGone = true;
      channel.stream?.emit('drain'); // release a writer waiting for a drain that will not come
    });
    channel.stream.write(bytes.subarray(offset));
  }
}
