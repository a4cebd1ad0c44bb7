/**
 * The scan's prefilter: which of a set of ASCII keywords occur in a file's
 * bytes. One regular expression (the keywords as alternatives) runs over the
 * bytes read as Latin-1, where an ASCII keyword matches exactly where the
 * UTF-8 bytes hold it; at each match every keyword starting there is noted,
 * and the search goes on one character later (keywords overlap: `Secret`
 * inside `SealedSecret`), so the file is read once however many keywords
 * it holds, not once per keyword. A file without any of the rules' keywords needs no rule
 * and is not decoded as UTF-8; in the others, a rule asks the answer instead
 * of searching the text again.
 */
import { KsecError } from '../errors.js';

/** at most this many keywords: the answer is a 32-bit mask */
const MAX_KEYWORDS = 32;

export class KeywordSet {
  private readonly keywords: readonly string[];
  private readonly any: RegExp;
  private readonly all: number;
  private readonly bits = new Map<string, number>();

  /** 1 to 32 keywords of printable ASCII, none empty */
  constructor(keywords: readonly string[]) {
    if (keywords.length === 0 || keywords.length > MAX_KEYWORDS || !keywords.every((k) => /^[\x20-\x7e]+$/.test(k))) {
      throw new KsecError(`internal error: the scan's keyword prefilter takes 1 to ${MAX_KEYWORDS} ASCII keywords, not ${JSON.stringify(keywords)}`);
    }
    this.keywords = keywords;
    this.any = new RegExp(keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    this.all = keywords.length === 32 ? -1 : (1 << keywords.length) - 1;
    keywords.forEach((k, i) => this.bits.set(k, 1 << i));
  }

  /** Which keywords occur in these bytes: a mask for `has` (0: none of them). */
  in(bytes: Buffer): number {
    const text = bytes.toString('latin1');
    const any = this.any;
    let found = 0;
    any.lastIndex = 0;
    for (let m = any.exec(text); m !== null; m = any.exec(text)) {
      const at = m.index;
      for (let i = 0; i < this.keywords.length; i++) {
        if ((found & (1 << i)) === 0 && text.startsWith(this.keywords[i]!, at)) found |= 1 << i;
      }
      if (found === this.all) break;
      any.lastIndex = at + 1;
    }
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
