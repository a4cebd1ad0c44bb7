/**
 * The scan's prefilter: which of a set of literal keywords occur in a file's
 * raw bytes (UTF-8), one Buffer#indexOf per keyword. A file without any of the
 * rules' keywords needs no rule and is not decoded to a string; in the
 * others, a rule asks the answer instead of searching the text again.
 */
import { KsecError } from '../errors.js';

/** at most this many keywords: the answer is a 32-bit mask */
const MAX_KEYWORDS = 32;

export class KeywordSet {
  private readonly needles: Buffer[];
  private readonly bits = new Map<string, number>();

  /** 1 to 32 keywords, none empty */
  constructor(keywords: readonly string[]) {
    if (keywords.length === 0 || keywords.length > MAX_KEYWORDS || keywords.some((k) => k === '')) {
      throw new KsecError(`internal error: the scan's keyword prefilter takes 1 to ${MAX_KEYWORDS} non-empty keywords, not ${keywords.length}`);
    }
    this.needles = keywords.map((k) => Buffer.from(k, 'utf8'));
    keywords.forEach((k, i) => this.bits.set(k, 1 << i));
  }

  /** Which keywords occur in these bytes: a mask for `has` (0: none of them). */
  in(bytes: Buffer): number {
    let found = 0;
    for (let i = 0; i < this.needles.length; i++) if (bytes.indexOf(this.needles[i]!) !== -1) found |= 1 << i;
    return found;
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
