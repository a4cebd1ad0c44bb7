/**
 * The syntax check's first try, for the plainest manifests: plain-yaml.c,
 * compiled to WebAssembly (plain-yaml-wasm.ts, built by
 * scripts/build-wasm.mjs). It reads a text's UTF-8 bytes line by line in one
 * pass; plain-yaml.c says which YAML it takes. The contract: true only where
 * validFastYaml says true (so the `yaml` package accepts the text); false
 * means "ask validFastYaml". test/unit/manifest/syntax.test.ts checks it on
 * every corpus the fast reader is checked on.
 *
 * One instance per thread, made on first use (about a millisecond); texts
 * are copied into its memory, which grows to the biggest one seen.
 */
import { PLAIN_YAML_WASM } from './plain-yaml-wasm.js';

// the global Node has; the ES2023 lib and @types/node 20 declare only its types
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
};

interface Exports {
  memory: { buffer: ArrayBuffer };
  /** where a text of `size` bytes goes (0: memory could not grow) */
  buffer(size: number): number;
  /** 1 when the text written at buffer(size) is of the subset and valid */
  check(size: number): number;
}

let exports: Exports | undefined;
const encoder = new TextEncoder();

function validator(): Exports {
  exports ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(PLAIN_YAML_WASM, 'base64'))).exports as Exports;
  return exports;
}

/** True only where validFastYaml is true for the text these UTF-8 bytes (without a BOM) hold; false: ask validFastYaml. */
export function validPlainYamlBytes(bytes: Uint8Array): boolean {
  const v = validator();
  const at = v.buffer(bytes.length);
  if (at === 0) return false;
  new Uint8Array(v.memory.buffer, at, bytes.length).set(bytes);
  return v.check(bytes.length) === 1;
}

/** True only where validFastYaml is true too; false: ask validFastYaml. */
export function validPlainYaml(text: string): boolean {
  const v = validator();
  const room = text.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 code unit
  const at = v.buffer(room);
  if (at === 0) return false;
  const { written } = encoder.encodeInto(text, new Uint8Array(v.memory.buffer, at, room));
  return v.check(written) === 1;
}
