/**
 * The syntax check's first try, for the plainest manifests: plain-yaml.c,
 * compiled to WebAssembly (plain-yaml-wasm.ts, built by
 * scripts/build-wasm.mjs). It reads a text's UTF-8 bytes line by line in one
 * pass; plain-yaml.c says which YAML it takes. The contract: true only where
 * validFastYaml says true (so the `yaml` package accepts the text); false
 * means "ask validFastYaml". test/unit/manifest/syntax.test.ts checks it on
 * every corpus the fast reader is checked on.
 *
 * One instance per thread, made on first use; texts are copied into its
 * memory, which grows to the biggest one seen. It is for big scans: once its
 * code runs hot, V8 compiles an optimised version in the background, and a
 * process that used it on a few files waits for that at exit (15-20 ms on
 * the pre-commit hook, measured with strace), where the JavaScript
 * validator would have taken a millisecond.
 */
import { instantiate, writeBytes, type BytesModule } from '../wasm-module.js';
import { PLAIN_YAML_WASM } from './plain-yaml-wasm.js';

interface PlainYaml extends BytesModule {
  /** 1 when the text written at buffer(size) is of the subset and valid */
  check(size: number): number;
}

let module: PlainYaml | undefined;

/** True only where validFastYaml is true for the text these UTF-8 bytes hold (a BOM is not content); false: ask validFastYaml. */
export function validPlainYamlBytes(bytes: Uint8Array): boolean {
  module ??= instantiate<PlainYaml>(PLAIN_YAML_WASM);
  const text = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  return writeBytes(module, text) && module.check(text.length) === 1;
}
