import { afterEach, describe, expect, it, vi } from 'vitest';

// writeStdout writes through fd 1; a non-blocking pipe that is full answers EAGAIN, and the rest
// must then go through process.stdout, in order, with every later write behind it.
const writes: { fd: number; text: string }[] = [];
let eagainAfter = Infinity;

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    writeSync: (fd: number, bytes: Uint8Array, offset = 0) => {
      if (fd !== 1) return fs.writeSync(fd, bytes, offset);
      const rest = bytes.subarray(offset);
      const n = Math.min(rest.length, eagainAfter);
      if (n === 0) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });
      writes.push({ fd, text: Buffer.from(rest.subarray(0, n)).toString() });
      eagainAfter -= n;
      return n;
    },
  };
});

afterEach(() => vi.restoreAllMocks());

describe('writeStdout', () => {
  it('hands what a full non-blocking pipe refused, and every later write, to process.stdout in order', async () => {
    const streamed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: Uint8Array | string) => {
      streamed.push(Buffer.from(chunk).toString());
      return true;
    }) as typeof process.stdout.write);
    const { writeStdout } = await import('../../../src/terminal/output.js');
    eagainAfter = 5;
    await writeStdout('hello world');
    await writeStdout(' and more');
    expect(writes.map((w) => w.text).join('')).toBe('hello');
    expect(streamed.join('')).toBe(' world and more');
  });
});
