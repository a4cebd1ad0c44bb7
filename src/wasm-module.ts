/**
 * The small WebAssembly modules ksec carries (C sources beside their
 * loaders, compiled by scripts/build-wasm.mjs into committed base64 modules):
 * each imports nothing and exports its memory and `buffer(size)`, where the
 * bytes it reads go.
 */

// the global Node has; the ES2023 lib and @types/node 20 declare only its types
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
};

export interface BytesModule {
  memory: { buffer: ArrayBuffer };
  /** where `size` bytes go (0: memory could not grow to hold them) */
  buffer(size: number): number;
}

/** An instance of the module (about a millisecond for a few kilobytes). */
export function instantiate<T extends BytesModule>(base64: string): T {
  return new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64'))).exports as T;
}

/** Copies bytes into the module's buffer: false when its memory cannot hold them. */
export function writeBytes(module: BytesModule, bytes: Uint8Array): boolean {
  const at = module.buffer(bytes.length);
  if (at === 0) return false;
  new Uint8Array(module.memory.buffer, at, bytes.length).set(bytes);
  return true;
}
