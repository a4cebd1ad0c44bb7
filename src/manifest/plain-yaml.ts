/**
 * The syntax check's first try, for the plainest manifests: one sticky
 * regular expression reads each line (indentation, `- `, a key, a one-line
 * value) and a stack of open mappings and sequences checks the structure
 * and the duplicate keys. No value is built and no character is looked at
 * twice in JavaScript, so it is several times cheaper than validFastYaml,
 * which goes through the same text a construct at a time.
 *
 * It takes a strict part of fast-yaml.ts's subset: LF line breaks, no tabs,
 * block mappings and sequences starting at column 0, keys that are plain
 * words (`app.kubernetes.io/name`) or simply quoted, one-line plain and
 * quoted values, literal and folded block scalars without an indentation
 * digit, and one-line flow collections of plain words and simple strings
 * (`{app: web, tier: "1"}`, `[{containerPort: 8080}]`). Anything else
 * returns false, and validFastYaml decides.
 *
 * The contract: true only where validFastYaml says true (so the `yaml`
 * package accepts the text). test/unit/manifest/syntax.test.ts checks it on
 * every corpus the fast reader is checked on.
 */

import { OpenKeys } from './open-keys.js';

// what no line may hold: line breaks other than LF, tabs, and the characters fast-yaml.ts refuses
const NOT = '\\n\\r\\t\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ufeff';
const ANY = `[^${NOT}]`;

// keys whose plain form is not the string itself (null, booleans) are left to validFastYaml
const WORD_KEY = `(?!(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)(?![A-Za-z0-9_./-]))[A-Za-z_][A-Za-z0-9_./-]{0,200}`;
const DQ_KEY = `"([^"\\\\${NOT}]{0,200})"`;
const SQ_KEY = `'([^'${NOT}]{0,200})'`;

// Each repetition below starts with what cannot continue the run before it (an escape, a quote, a
// separator), so a line that does not match fails in linear time, never by trying every split.
const DQ_RUN = `[^"\\\\${NOT}]*`;
const DOUBLE = `"${DQ_RUN}(?:(?:\\\\[0abtnvfre "/\\\\N_LP]|\\\\x[0-9a-fA-F]{2})${DQ_RUN})*"`;
const SINGLE = `'[^'${NOT}]*(?:''[^'${NOT}]*)*'`;
// a plain scalar: no indicator first, no `: ` or ` #` inside, no trailing `:`
const PLAIN_RUN = `[^ :${NOT}]*`;
const PLAIN = `(?:[^-?:,\\[\\]{}#&*!|>'"%@\` ${NOT}]|[-?:](?=[^ ${NOT}]))${PLAIN_RUN}(?:(?::(?=[^ ${NOT}])| +(?=[^ #${NOT}]))${PLAIN_RUN})*`;

// flow collections: plain words and strings without flow indicators; maps only inside sequences
const FLOW_SCALAR = `(?:[A-Za-z0-9_./][A-Za-z0-9_./@=+-]*|"[^"\\\\{}\\[\\],${NOT}]*")`;
const FLOW_ENTRY = `${WORD_KEY}: +${FLOW_SCALAR}`;
const FLOW_MAP = `\\{ *(?:${FLOW_ENTRY}(?: *, *${FLOW_ENTRY})*)? *\\}`;
const FLOW_ITEM = `(?:${FLOW_SCALAR}|${FLOW_MAP})`;
const FLOW_SEQ = `\\[ *(?:${FLOW_ITEM}(?: *, *${FLOW_ITEM})*)? *\\]`;

/**
 * One line: 1 indentation, 2 `- ` with its spaces, 3/4/5 a plain, double or
 * single quoted key, 6 empty when a scalar value is there, 7 a block scalar
 * header, 8 a flow collection; then an optional comment and the line break.
 */
const LINE = new RegExp(
  `( *)(- +|-(?=\\n|$))?(?:(?:(${WORD_KEY})|${DQ_KEY}|${SQ_KEY}):(?= |\\n|$) *)?` +
    `(?:(?:${DOUBLE}|${SINGLE}|${PLAIN})()|([|>][-+]?)|(${FLOW_MAP}|${FLOW_SEQ}))?` +
    ` *(?:(?<![^ \\n])#${ANY}*)?(?:\\n|$)`,
  'y',
);
/** a line of a block scalar: 1 its indentation */
const BLOCK_LINE = new RegExp(`( *)(?:[^ ${NOT}]${ANY}*)?(?:\\n|$)`, 'y');
/** the keys of a flow mapping inside a flow collection */
const FLOW_KEYS = /(?:\{|,) *([^:,{}]+):/g;

const MAP = 0;
const SEQ = 1;

/** True only where validFastYaml is true too; false: ask validFastYaml. */
export function validPlainYaml(text: string): boolean {
  return new PlainYaml(text).run();
}

class PlainYaml {
  // the open collections, innermost last: column, kind, keys (mappings)
  private readonly cols: number[] = [];
  private readonly kinds: number[] = [];
  private readonly keys = new OpenKeys();
  private depth = -1;

  constructor(private readonly text: string) {}

  run(): boolean {
    const t = this.text;
    const length = t.length;
    // after `key:` or `-` with nothing behind: the column of that mapping or sequence (-1: none)
    let below = -1;
    let belowInSeq = false;
    let rootSeen = false;
    let p = 0;
    while (p < length) {
      if (t.charCodeAt(p) === 45 && t.startsWith('---', p) && (p + 3 === length || t.charCodeAt(p + 3) === 10)) {
        // a document marker: everything open ends with the document
        this.depth = -1;
        below = -1;
        rootSeen = false;
        p += 4;
        continue;
      }
      LINE.lastIndex = p;
      const m = LINE.exec(t);
      if (m === null) return false;
      p = LINE.lastIndex;
      const dash = m[2];
      const key = m[3] ?? m[4] ?? m[5];
      if (dash === undefined && key === undefined) {
        if (m[6] !== undefined || m[7] !== undefined || m[8] !== undefined) return false; // a value on its own line
        continue; // blank or comment
      }
      const ind = m[1]!.length;

      // where the line belongs
      if (below !== -1 && (ind > below || (!belowInSeq && ind === below && dash !== undefined))) {
        this.push(ind, dash !== undefined ? SEQ : MAP); // the node under the last `key:` or `-`
      } else if (this.depth === -1) {
        if (rootSeen || ind !== 0) return false;
        this.push(0, dash !== undefined ? SEQ : MAP);
      } else {
        while (this.depth >= 0 && this.cols[this.depth]! > ind) this.depth--;
        if (this.depth === -1 || this.cols[this.depth] !== ind) return false;
        if (this.kinds[this.depth] === SEQ && dash === undefined) {
          // a key at a sequence's column ends it: the sequence was the value of a key at that column
          this.depth--;
          if (this.depth === -1 || this.cols[this.depth] !== ind || this.kinds[this.depth] !== MAP) return false;
        } else if (this.kinds[this.depth] === MAP && dash !== undefined) {
          return false;
        }
      }
      rootSeen = true;
      below = -1;

      // what the line holds: an item (maybe opening a mapping on its line), a key, a value
      let col = ind;
      if (dash !== undefined && key !== undefined) {
        col = ind + dash.length;
        this.push(col, MAP);
      }
      if (key !== undefined && !this.keys.add(this.depth, key)) return false;
      if (m[8] !== undefined && !flowKeysUnique(m[8])) return false;
      const header = m[7];
      if (header !== undefined) {
        p = this.blockScalarEnd(p, col, header.charCodeAt(0) === 62, header.charCodeAt(1) === 43);
        if (p === -1) return false;
      } else if (m[6] === undefined && m[8] === undefined) {
        below = col;
        belowInSeq = key === undefined;
      }
    }
    return true;
  }

  private push(col: number, kind: number): void {
    const d = ++this.depth;
    this.cols[d] = col;
    this.kinds[d] = kind;
    if (kind === MAP) this.keys.open(d);
  }

  /**
   * The end of a block scalar whose header line ended at p (`parent`: the
   * column of the mapping or sequence it is a value of): where the first line
   * after it starts, or -1 where fast-yaml.ts would bail out. The same rules
   * as its blockScalar, for headers without an indentation digit.
   */
  private blockScalarEnd(p: number, parent: number, folded: boolean, keep: boolean): number {
    const t = this.text;
    let indent = -1;
    let maxBlank = 0;
    while (p < t.length) {
      BLOCK_LINE.lastIndex = p;
      const m = BLOCK_LINE.exec(t);
      if (m === null) return -1;
      const s = m[1]!.length;
      const end = BLOCK_LINE.lastIndex;
      if (end - p - (t.charCodeAt(end - 1) === 10 ? 1 : 0) === s) {
        // an empty line: spaces past the scalar's indentation would be content
        if (indent >= 0 && s > indent) return -1;
        if (s > maxBlank) maxBlank = s;
        p = end;
        continue;
      }
      if (indent < 0) {
        if (s <= parent) break;
        indent = s;
      }
      if (s < indent) break;
      if (folded && s > indent) return -1; // more-indented lines fold differently
      p = end;
    }
    if (indent >= 0 ? maxBlank > indent : maxBlank > 0) return -1;
    if (keep && indent < 0) return -1; // `|+` with no content: the reader bails on some of these
    return p;
  }
}

/** Whether each flow mapping in a flow collection has distinct keys. */
function flowKeysUnique(flow: string): boolean {
  if (!flow.includes(',')) return true;
  let keys: string[] = [];
  FLOW_KEYS.lastIndex = 0;
  for (let m = FLOW_KEYS.exec(flow); m !== null; m = FLOW_KEYS.exec(flow)) {
    if (flow.charCodeAt(m.index) === 123) keys = []; // a new mapping
    const key = m[1]!.trimEnd();
    if (keys.includes(key)) return false;
    keys.push(key);
  }
  return true;
}
