/**
 * Git's object id of a blob: SHA-1 over `blob <size>\0<content>`.
 *
 * A pre-commit scan hashes a few small work-tree files to prove they are the
 * staged blobs. node:crypto would cost it more than the hashing: importing it
 * takes Node 24 about 4 ms. So the hash is git-blob-id.c, compiled to
 * WebAssembly: instantiated on first use (well under a millisecond), its
 * first-tier code hashes about 50 MB/s where a JavaScript SHA-1 would start
 * in the interpreter (1.3 against 0.8 ms for a 10-file pre-commit scan).
 * Callers bound the bytes they hash (see stagedSource); the id is a content
 * address, not a security check, and node:crypto's SHA-1 stays the one the
 * rest of ksec uses (config-hash/).
 */
import { instantiate, type BytesModule } from '../wasm-module.js';
import { GIT_BLOB_ID_WASM } from './git-blob-id-wasm.js';

interface Sha1Module extends BytesModule {
  /** hashes the `size` bytes (whole 64-byte blocks) at buffer(size); returns where its 5 words are */
  sha1(size: number): number;
}

let module: Sha1Module | undefined;

/** The blob id (40 hex digits) of `content`; undefined when WebAssembly memory cannot hold it. */
export function gitBlobId(content: Uint8Array): string | undefined {
  module ??= instantiate<Sha1Module>(GIT_BLOB_ID_WASM);
  const header = Buffer.from(`blob ${content.length}\0`, 'latin1');
  const length = header.length + content.length;
  // message, 0x80, zeros, its length in bits as 64 bits big-endian: whole 64-byte blocks
  const size = (length + 8 + 64) & ~63;
  const at = module.buffer(size);
  if (at === 0) return undefined;
  const bytes = new Uint8Array(module.memory.buffer, at, size);
  bytes.set(header);
  bytes.set(content, header.length);
  bytes.fill(0, length);
  bytes[length] = 0x80;
  const view = new DataView(module.memory.buffer, at, size);
  view.setUint32(size - 8, Math.floor(length / 0x20000000));
  view.setUint32(size - 4, (length * 8) >>> 0);
  const words = new Uint32Array(module.memory.buffer, module.sha1(size), 5);
  let hex = '';
  for (const word of words) hex += word.toString(16).padStart(8, '0');
  return hex;
}
