/**
 * The process's stdout and stderr, written through their file descriptors. The only module that
 * writes to the terminal's streams; the command layer and the program use it, domain code never does.
 */
import { once } from 'node:events';
import { writeSync } from 'node:fs';

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
