/**
 * The scan's prefilter: which of a set of literal keywords occur in a file's
 * bytes, in one pass (keywords.c, compiled to WebAssembly) instead of one
 * search per keyword. A file without any of the rules' keywords needs no
 * rule, and is not even decoded to a string; in the others, a rule asks the
 * answer instead of searching again.
 */
import { KsecError } from '../errors.js';
import { instantiate, writeBytes, type BytesModule } from '../wasm-module.js';
import { KEYWORDS_WASM } from './keywords-wasm.js';

interface Keywords extends BytesModule {
  set_keywords(size: number): number;
  keywords_in(size: number): number;
}

/** all of them: what the finder answers for bytes it cannot take */
const ALL = -1;

export class KeywordSet {
  private readonly module = instantiate<Keywords>(KEYWORDS_WASM);
  private readonly bits = new Map<string, number>();

  /** at most 32 keywords of 2 bytes or more, 1 KB in all */
  constructor(keywords: readonly string[]) {
    const list = Buffer.from(keywords.map((k) => `${k}\0`).join(''));
    if (!writeBytes(this.module, list) || this.module.set_keywords(list.length) !== 1) {
      throw new KsecError(`internal error: the scan's keyword prefilter cannot take ${keywords.length} keywords`);
    }
    keywords.forEach((k, i) => this.bits.set(k, 1 << i));
  }

  /** Which keywords occur in these bytes: a mask for `has` (0: none of them). */
  in(bytes: Uint8Array): number {
    return writeBytes(this.module, bytes) ? this.module.keywords_in(bytes.length) : ALL;
  }

  /**
   * Whether `keyword` occurs in a text whose mask is `found`: exactly what a
   * search of the text would say, for the set's keywords; undefined for any
   * other word (the caller searches).
   */
  has(found: number, keyword: string): boolean | undefined {
    const bit = this.bits.get(keyword);
    return bit === undefined ? undefined : (found & bit) !== 0;
  }
}
