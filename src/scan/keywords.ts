/**
 * The scan's prefilter: whether any of a set of literal keywords occurs in a
 * file's bytes, in one pass (keywords.c, compiled to WebAssembly) instead of
 * one search per keyword. A file without any of the rules' keywords needs no
 * rule, and is not even decoded to a string.
 */
import { KsecError } from '../errors.js';
import { instantiate, writeBytes, type BytesModule } from '../wasm-module.js';
import { KEYWORDS_WASM } from './keywords-wasm.js';

interface Keywords extends BytesModule {
  set_keywords(size: number): number;
  any_keyword(size: number): number;
}

export class KeywordSet {
  private readonly module = instantiate<Keywords>(KEYWORDS_WASM);

  /** at most 32 keywords of 2 bytes or more, 1 KB in all */
  constructor(keywords: readonly string[]) {
    const list = Buffer.from(keywords.map((k) => `${k}\0`).join(''));
    if (!writeBytes(this.module, list) || this.module.set_keywords(list.length) !== 1) {
      throw new KsecError(`internal error: the scan's keyword prefilter cannot take ${keywords.length} keywords`);
    }
  }

  /** Whether one of the keywords occurs in these bytes (exactly as a search for each would say). */
  anyIn(bytes: Uint8Array): boolean {
    return !writeBytes(this.module, bytes) || this.module.any_keyword(bytes.length) === 1;
  }
}
