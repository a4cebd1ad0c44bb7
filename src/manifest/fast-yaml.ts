/**
 * A reader for the subset of YAML that Kubernetes manifests are almost always
 * written in, without the `yaml` package (it never imports it: start-up and
 * throughput are the point). Where it answers, the answer equals what `yaml`
 * gives for `parseAllDocuments(text, { merge: true })` then yaml11-value.ts's
 * clusterValue (the cluster's reading: go-yaml v2, YAML 1.1, JSON keys as
 * sigs.k8s.io/yaml makes them; numbers not BigInt); on any text outside
 * the subset it returns undefined and the caller asks `yaml`, so correctness
 * never depends on this file. test/unit/manifest/fast-yaml.test.ts and
 * syntax.test.ts check both claims against the package.
 *
 * The subset (frozen: a construct outside it is `yaml`'s job, not a reason to
 * grow this file):
 * - A stream of documents: `---` at column 0 (alone or before a comment),
 *   `...` ending a document, comments, blank lines, LF or CRLF line ends. An
 *   empty document only after a `---`.
 * - Block mappings whose keys are one-line plain scalars (resolved to the JS
 *   key `toJS` gives: `1` is "1", `true` is "true") or one-line quoted
 *   scalars, each followed by `:` and a space or the line's end.
 * - Block sequences, also nested in compact form (`- a: 1`, `- - x`), and a
 *   sequence at the same indentation as its key.
 * - Plain scalars, one line or several (continuation lines more indented
 *   than the parent, folded as YAML folds them: a line break becomes a space,
 *   n empty lines n line breaks), resolved as go-yaml v2 resolves them (src/go/yaml11-resolve.ts;
 *   `.inf`/`.nan` values bail: the slow path refuses them).
 * - 'single' and "double" quoted scalars that close on their line, with all of
 *   YAML's double-quoted escapes except the line continuation.
 * - Literal and folded block scalars (`|`, `>`, chomping `-`/`+`, indentation
 *   indicator 1-9) inside a collection.
 * - Flow mappings and sequences (`{a: 1, b: [x, "y"]}`, `{}`, `[]`), nested,
 *   that open and close on one line, with plain or quoted scalars and
 *   `key: value` entries.
 *
 * Everything else returns undefined: anchors, aliases, tags, directives, `?`
 * keys, merge keys (`<<`), null keys, keys over 1000 characters, duplicate
 * keys (also `1` beside `'1'`, `on` beside `true`), keys of 2^63 and up,
 * `.inf`/`.nan` values, the escapes `\/` and `\u` of a surrogate, a tab in indentation, between tokens or in a
 * plain scalar, `key: - x`, a `: ` inside a plain value, a plain scalar that
 * starts with an indicator (`&*!|>%@` or a backquote), a multi-line plain
 * scalar at the root, after a comment line or with a comment on any line but
 * its last, a quoted scalar over several lines, a block scalar at the root,
 * more-indented lines in a folded scalar; a flow collection over several
 * lines or with a comment, a trailing comma, an empty or implicit (`{a}`)
 * entry, `a:b` or a `key: value` pair in a flow sequence inside it, a `?`
 * in a flow plain scalar (go-yaml ends the scalar there); content
 * after `---` on its line, a BOM, control characters (other than tab, LF,
 * CR), C1 controls, U+2028/U+2029, U+FFFE/U+FFFF, a CR not followed by LF, and every
 * construct the package would report as an error.
 *
 * One scanner (BlockScanner) reads the grammar; a NodeBuilder per reader
 * decides what a node becomes: values (parseFastYaml), the offsets of keys and
 * items (fastOffsets), or nothing but the duplicate-key check (validFastYaml,
 * the syntax check of src/manifest/syntax.ts). All three accept exactly the
 * same texts.
 */

import { OpenKeys } from './open-keys.js';
import { goPlainKey, goPlainValue } from '../go/yaml11-resolve.js';
import { MAX_NESTING } from './yaml-lib.js';

/** A document's node offsets: map keys by their JS key, sequence items by index. */
export type OffsetTree = OffsetMap | OffsetSeq | null;
export interface OffsetMap {
  keys: Map<string, { offset: number; child: OffsetTree }>;
}
export interface OffsetSeq {
  items: { offset: number; child: OffsetTree }[];
}

export interface FastDocument {
  /** the document as plain data (null for an empty document) */
  value: unknown;
  /** 1-based line where the document's content starts (its `---` line when empty) */
  line: number;
}

/** Parses a YAML stream; undefined when any part of it is outside the subset. */
export function parseFastYaml(text: string): FastDocument[] | undefined {
  const builder = new DocumentBuilder(text);
  return new BlockScanner(text, builder).run() ? builder.docs : undefined;
}

/**
 * Whether the text is a YAML stream inside the subset, checked without
 * building its values (no objects, arrays or scalars; only map keys, for the
 * duplicate check): true exactly when parseFastYaml answers, so a true here
 * means the package accepts the text too. A false says nothing: ask the
 * package (src/manifest/syntax.ts does).
 */
export function validFastYaml(text: string): boolean {
  return new BlockScanner(text, new KeyChecker()).run();
}

/** The offsets of every map key and sequence item, per document; undefined outside the subset. */
export function fastOffsets(text: string): OffsetTree[] | undefined {
  const builder = new OffsetBuilder();
  return new BlockScanner(text, builder).run() ? builder.trees : undefined;
}

/**
 * Offset of the deepest node of `path` (a map key, or a sequence item) in a
 * document's tree; undefined when not even the first step is there. The same
 * walk as position.ts does over yaml nodes.
 */
export function offsetInTree(tree: OffsetTree, path: readonly (string | number)[]): number | undefined {
  let node = tree;
  let offset: number | undefined;
  for (const segment of path) {
    let entry: { offset: number; child: OffsetTree } | undefined;
    if (node && 'keys' in node) entry = node.keys.get(String(segment));
    else if (node && 'items' in node && typeof segment === 'number') entry = node.items[segment];
    if (!entry) break;
    offset = entry.offset;
    node = entry.child;
  }
  return offset;
}

/** Thrown (and caught in `run`) when the input leaves the subset. */
const BAIL = Symbol('bail');

// Characters that put a text outside the subset (the package treats them
// specially or rejects them): C0 controls but tab, LF and CR; DEL and the C1
// controls; U+2028 and U+2029; U+FEFF anywhere; U+FFFE and U+FFFF (go-yaml refuses them).
const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

/** Whether the text has a CR not followed by LF (a line break outside the subset). */
function hasLoneCR(t: string): boolean {
  for (let i = t.indexOf('\r'); i !== -1; i = t.indexOf('\r', i + 1)) if (t.charCodeAt(i + 1) !== 10) return true;
  return false;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DOT = 46;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKSLASH = 92;

/**
 * What the scanner turns the nodes it reads into: one class per reader
 * (DocumentBuilder for parseFastYaml, OffsetBuilder for fastOffsets,
 * KeyChecker for validFastYaml). N is what a node becomes (null: an empty
 * node, or a scalar for builders that keep none), M a mapping being filled,
 * S a sequence being filled.
 */
interface NodeBuilder<N, M, S> {
  /** whether scalar values are built (sliced, unescaped, resolved); map keys always are */
  readonly scalars: boolean;
  /** what a scalar node becomes; `value` is undefined when `scalars` is false */
  scalar(value: unknown): N | null;
  newMap(): M;
  /** one entry of a mapping, its key at `offset`; a key the mapping has already must throw BAIL */
  addEntry(map: M, name: string, offset: number, value: N | null): void;
  endMap(map: M): N | null;
  newSeq(): S;
  /** one item of a sequence, its node at `offset` */
  addItem(seq: S, offset: number, value: N | null): void;
  endSeq(seq: S): N | null;
  /** one document; `node` is null for an empty one; `start` is the offset of its content (or of its `---`) */
  document(node: N | null, start: number): void;
}

/**
 * The grammar of the subset, one implementation for the three readers: it
 * scans the text line by line, throws BAIL where the text leaves the subset,
 * and hands every node to its NodeBuilder.
 */
class BlockScanner<N, M, S> {

  // The current line: [ls, ce) is its content (CR stripped), le its LF (or the text's end).
  private ls = 0;
  private le = 0;
  private ce = 0;
  /** leading spaces of the current line */
  private ind = 0;
  /** where the node found by `valueBelow` starts */
  private belowStart = 0;
  /** whether skipBlank passed a comment line since this was last cleared */
  private sawComment = false;
  /** whether the plain scalar read last ended at a comment */
  private commented = false;
  /** the node of the flow collection parsed last (see `flow`) */
  private flowNode: N | null = null;
  /** collections open now; deeper than MAX_NESTING bails (the package's reader refuses it) */
  private nesting = 0;

  /** the builder's `scalars`, kept here (read for every scalar) */
  private readonly scalars: boolean;

  constructor(
    private readonly text: string,
    private readonly out: NodeBuilder<N, M, S>,
  ) {
    this.scalars = out.scalars;
  }

  run(): boolean {
    if (FORBIDDEN.test(this.text) || hasLoneCR(this.text)) return false;
    try {
      this.stream();
      return true;
    } catch (err) {
      if (err === BAIL) return false;
      throw err;
    }
  }

  // ---- lines -------------------------------------------------------------

  private setLine(start: number): void {
    const t = this.text;
    this.ls = start;
    let le = t.indexOf('\n', start);
    if (le === -1) le = t.length;
    this.le = le;
    this.ce = le > start && t.charCodeAt(le - 1) === CR ? le - 1 : le;
    let i = start;
    while (i < this.ce && t.charCodeAt(i) === SPACE) i++;
    this.ind = i - start;
  }

  private nextLine(): void {
    this.setLine(this.le + 1);
  }

  private eof(): boolean {
    return this.ls >= this.text.length;
  }

  /** The char after the indentation; -1 on an empty line. */
  private first(): number {
    const p = this.ls + this.ind;
    return p < this.ce ? this.text.charCodeAt(p) : -1;
  }

  /** Skips blank and comment lines; false at the end of the text or a document marker. */
  private skipBlank(): boolean {
    for (;;) {
      if (this.eof()) return false;
      const c = this.first();
      if (c === -1 || c === HASH) {
        if (c === HASH) this.sawComment = true;
        this.nextLine();
        continue;
      }
      if (c === TAB) throw BAIL;
      if (this.ind === 0 && this.isMarker()) return false;
      return true;
    }
  }

  /** `---` or `...` at column 0 followed by a space or the line's end. */
  private isMarker(): boolean {
    const t = this.text;
    const p = this.ls;
    if (this.ce - p < 3) return false;
    const c = t.charCodeAt(p);
    if ((c !== DASH && c !== DOT) || t.charCodeAt(p + 1) !== c || t.charCodeAt(p + 2) !== c) return false;
    if (p + 3 === this.ce) return true;
    const n = t.charCodeAt(p + 3);
    if (n === TAB) throw BAIL;
    return n === SPACE;
  }

  /** Only spaces and an optional comment from p to the line's end. */
  private expectEnd(p: number): void {
    const t = this.text;
    while (p < this.ce && t.charCodeAt(p) === SPACE) p++;
    if (p === this.ce) return;
    const c = t.charCodeAt(p);
    if (c === HASH && t.charCodeAt(p - 1) === SPACE) return;
    throw BAIL;
  }

  // ---- documents ---------------------------------------------------------

  private stream(): void {
    this.setLine(0);
    for (;;) {
      // between documents: blank lines and comments
      while (!this.eof()) {
        const c = this.first();
        if (c === -1 || c === HASH) this.nextLine();
        else break;
      }
      if (this.eof()) return;
      if (this.ind === 0 && this.text.charCodeAt(this.ls) === 37 /* % */) throw BAIL;
      let markerAt = -1;
      if (this.ind === 0 && this.isMarker()) {
        if (this.text.charCodeAt(this.ls) === DOT) throw BAIL; // `...` with no document before it
        markerAt = this.ls;
        this.expectEnd(this.ls + 3);
        this.nextLine();
      }
      if (!this.skipBlank()) {
        // an empty document: only a `---` starts one
        if (markerAt === -1) throw BAIL;
        this.out.document(null, markerAt);
      } else {
        const start = this.ls + this.ind;
        const node = this.node(-1, start);
        if (this.skipBlank()) throw BAIL; // content after the root node
        this.out.document(node, start);
      }
      // a document ends at the text's end, `...` or the next `---`
      if (!this.eof() && this.text.charCodeAt(this.ls) === DOT) {
        this.expectEnd(this.ls + 3);
        this.nextLine();
      }
    }
  }

  // ---- nodes -------------------------------------------------------------

  /**
   * The block node that starts at offset `p` of the current line (its column
   * is the node's indentation); `parent` is the enclosing indentation.
   */
  private node(parent: number, p: number, afterComment = false): N | null {
    const t = this.text;
    const c = t.charCodeAt(p);
    const col = p - this.ls;
    if (c === DASH && this.isSeqIndicator(p)) return this.seq(col, p);
    const key = this.key(p);
    if (key) return this.map(col, key);
    if (parent < 0 && (c === 124 || c === 62)) throw BAIL; // a block scalar at the root
    return this.inlineValue(parent, p, afterComment);
  }

  private isSeqIndicator(p: number): boolean {
    if (p + 1 === this.ce) return true;
    const n = this.text.charCodeAt(p + 1);
    if (n === TAB) throw BAIL;
    return n === SPACE;
  }

  /** A block sequence at column `col` whose first `-` is at p. */
  private seq(col: number, p: number): N | null {
    if (++this.nesting > MAX_NESTING) throw BAIL;
    const seq = this.out.newSeq();
    for (;;) {
      let q = p + 1;
      while (q < this.ce && this.text.charCodeAt(q) === SPACE) q++;
      if (q < this.ce && this.text.charCodeAt(q) === TAB) throw BAIL;
      let value: N | null;
      let offset: number;
      if (q === this.ce || this.text.charCodeAt(q) === HASH) {
        const below = this.valueBelow(col, true, q < this.ce);
        if (below === EMPTY) {
          offset = q;
          value = null;
        } else {
          offset = this.belowStart;
          value = below;
        }
      } else {
        offset = q;
        value = this.node(col, q);
      }
      this.out.addItem(seq, offset, value);
      if (!this.skipBlank() || this.ind < col) break;
      if (this.ind > col) throw BAIL;
      p = this.ls + col;
      if (this.text.charCodeAt(p) !== DASH || !this.isSeqIndicator(p)) break;
    }
    this.nesting--;
    return this.out.endSeq(seq);
  }

  /** A block mapping at column `col`; its first key is already read. */
  private map(col: number, first: Key): N | null {
    if (++this.nesting > MAX_NESTING) throw BAIL;
    const map = this.out.newMap();
    let key: Key | undefined = first;
    for (;;) {
      const value = this.entryValue(col, key.end);
      this.out.addEntry(map, key.name, key.offset, value);
      if (!this.skipBlank() || this.ind < col) break;
      if (this.ind > col) throw BAIL;
      key = this.key(this.ls + col);
      if (!key) throw BAIL;
    }
    this.nesting--;
    return this.out.endMap(map);
  }

  /** The value after `key:` (p is just past the colon). */
  private entryValue(col: number, p: number): N | null {
    const t = this.text;
    while (p < this.ce && t.charCodeAt(p) === SPACE) p++;
    if (p === this.ce || t.charCodeAt(p) === HASH) {
      const value = this.valueBelow(col, false, p < this.ce);
      return value === EMPTY ? null : value;
    }
    if (t.charCodeAt(p) === TAB) throw BAIL;
    if (t.charCodeAt(p) === DASH && this.isSeqIndicator(p)) throw BAIL; // `key: - x` is an error
    return this.inlineValue(col, p);
  }

  /**
   * The node on the lines after a `key:` or `-` with nothing after it:
   * more indented than `col`, or a sequence at `col` under a key.
   */
  private valueBelow(col: number, inSeq: boolean, commentAfterKey: boolean): N | null | typeof EMPTY {
    this.nextLine();
    this.sawComment = commentAfterKey;
    if (!this.skipBlank()) return EMPTY;
    const start = this.ls + this.ind;
    let value: N | null | typeof EMPTY = EMPTY;
    if (this.ind > col) value = this.node(col, start, this.sawComment);
    else if (!inSeq && this.ind === col && this.first() === DASH && this.isSeqIndicator(start)) value = this.seq(col, start);
    this.belowStart = start; // after the nested calls that set it too
    return value;
  }

  /** A scalar (or `{}` / `[]`) starting at p that ends its line. */
  private inlineValue(parent: number, p: number, afterComment = false): N | null {
    const t = this.text;
    const c = t.charCodeAt(p);
    switch (c) {
      case SQUOTE:
      case DQUOTE: {
        const q = this.quoted(p, this.scalars);
        this.expectEnd(q.end);
        this.nextLine();
        return this.out.scalar(q.value);
      }
      case 124: // |
      case 62: // >
        return this.out.scalar(this.blockScalar(parent, p));
      case 123: // {
      case 91: {
        // [
        const end = this.flow(p);
        this.expectEnd(end);
        this.nextLine();
        return this.flowNode;
      }
      default: {
        const end = this.plainValue(p);
        const commented = this.commented;
        // builders that keep no scalars still resolve those that may be .inf/.nan (a bail for every reader)
        const plain = this.scalars || mayBeSpecialFloat(c) ? t.slice(p, end) : undefined;
        this.nextLine();
        const value = this.plainContinuation(parent, plain, commented, afterComment);
        const resolved = value === undefined ? undefined : resolvePlain(value);
        return this.out.scalar(this.scalars ? resolved : undefined);
      }
    }
  }

  /**
   * The lines that continue a plain scalar (more indented than `parent`),
   * folded as the package folds them: one line break becomes a space, n empty
   * lines become n line breaks. Leaves the current line after the scalar.
   */
  private plainContinuation(parent: number, first: string | undefined, commented: boolean, afterComment: boolean): string | undefined {
    const t = this.text;
    let value = first;
    for (;;) {
      const resume = this.ls;
      let blanks = 0;
      while (!this.eof() && this.ls + this.ind === this.ce) {
        blanks++;
        this.nextLine();
      }
      if (this.eof() || this.ind <= parent || (this.ind === 0 && this.isMarker())) {
        // the package reads a plain scalar that follows a comment line and has empty lines after it as a (bad) key
        if (afterComment && blanks > 0) throw BAIL;
        if (this.ls !== resume) this.setLine(resume); // back over the empty lines (none: the line is still set)
        return value;
      }
      const p = this.ls + this.ind;
      const c = t.charCodeAt(p);
      if (c === HASH) {
        // a comment line ends the scalar; a more indented line after it is an error
        if (this.ls !== resume) this.setLine(resume);
        return value;
      }
      if (commented || afterComment || parent < 0) throw BAIL;
      // `- `, `? `, `: ` start a node even here; other indicators are text past a scalar's first line
      if ((c === DASH || c === 63 /* ? */ || c === COLON) && (p + 1 === this.ce || t.charCodeAt(p + 1) === SPACE)) throw BAIL;
      if (c === TAB) throw BAIL;
      const end = this.plainEnd(p);
      if (value !== undefined) value += (blanks === 0 ? ' ' : '\n'.repeat(blanks)) + t.slice(p, end);
      commented = this.commented; // a comment ends the scalar: a further line bails
      this.nextLine();
    }
  }

  /**
   * A flow collection (`{a: 1, b: [x, "y"]}`) that closes on its own line,
   * starting at p; returns the offset past it and leaves its node in `flowNode`.
   */
  private flow(p: number): number {
    if (++this.nesting > MAX_NESTING) throw BAIL;
    const t = this.text;
    const ce = this.ce;
    const isMap = t.charCodeAt(p) === 123;
    const close = isMap ? 125 : 93;
    const map = isMap ? this.out.newMap() : undefined;
    const seq = isMap ? undefined : this.out.newSeq();
    let q = this.skipSpaces(p + 1);
    if (t.charCodeAt(q) === close) {
      this.flowNode = isMap ? this.out.endMap(map!) : this.out.endSeq(seq!);
      this.nesting--;
      return q + 1;
    }
    for (;;) {
      if (q >= ce) throw BAIL;
      const start = q;
      let name: string | undefined;
      if (isMap) {
        const key = this.flowScalar(q, true);
        name = key.value as string;
        if (name === '<<') throw BAIL;
        q = this.skipSpaces(key.end);
        if (t.charCodeAt(q) !== COLON || t.charCodeAt(q + 1) !== SPACE) throw BAIL;
        q = this.skipSpaces(q + 1);
      }
      const itemStart = q;
      let value: N | null;
      const c = t.charCodeAt(q);
      if (c === 123 || c === 91) {
        q = this.flow(q);
        value = this.flowNode;
      } else {
        const scalar = this.flowScalar(q, false);
        value = this.out.scalar(scalar.value);
        q = scalar.end;
      }
      if (map !== undefined) this.out.addEntry(map, name!, start, value);
      else this.out.addItem(seq!, itemStart, value);
      q = this.skipSpaces(q);
      const sep = t.charCodeAt(q);
      if (sep === close) {
        this.flowNode = isMap ? this.out.endMap(map!) : this.out.endSeq(seq!);
        this.nesting--;
        return q + 1;
      }
      if (sep !== 44 /* , */) throw BAIL;
      q = this.skipSpaces(q + 1);
      if (t.charCodeAt(q) === close) throw BAIL; // a trailing comma
    }
  }

  private skipSpaces(p: number): number {
    while (p < this.ce && this.text.charCodeAt(p) === SPACE) p++;
    return p;
  }

  /** A quoted or plain scalar inside a flow collection; a plain key stops at `: `. */
  private flowScalar(p: number, key: boolean): { value: unknown; end: number; quoted: boolean } {
    const t = this.text;
    const ce = this.ce;
    const c = t.charCodeAt(p);
    if (c === SQUOTE || c === DQUOTE) {
      const q = this.quoted(p, key || this.scalars);
      return { value: q.value, end: q.end, quoted: true };
    }
    if (isIndicator(c) || c === 63 /* ? */ || c === COLON) throw BAIL;
    if (c === DASH) {
      const n = p + 1 < ce ? t.charCodeAt(p + 1) : SPACE;
      if (n === SPACE || n === 44 || n === 91 || n === 93 || n === 123 || n === 125) throw BAIL;
    }
    let i = p;
    for (; i < ce; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 44 || ch === 93 || ch === 125) break;
      if (ch === COLON) {
        const n = i + 1 < ce ? t.charCodeAt(i + 1) : SPACE;
        if (n === SPACE || n === 44 || n === 91 || n === 93 || n === 123 || n === 125) {
          if (key && n === SPACE) break;
          throw BAIL;
        }
      } else if (ch === 91 || ch === 123 || ch === TAB || ch === SQUOTE || ch === DQUOTE || ch === 63 /* ? ends a flow plain scalar in go-yaml */) {
        throw BAIL;
      } else if (ch === HASH && t.charCodeAt(i - 1) === SPACE) {
        throw BAIL;
      }
    }
    let end = i;
    while (t.charCodeAt(end - 1) === SPACE) end--;
    if (end === p) throw BAIL;
    return { value: key ? plainKeyName(t.slice(p, end)) : this.scalars || mayBeSpecialFloat(c) ? resolvePlain(t.slice(p, end)) : undefined, end, quoted: false };
  }

  /** A one-line plain scalar that is a value (not a key): the offset where it ends. */
  private plainValue(p: number): number {
    const t = this.text;
    const c = t.charCodeAt(p);
    if (isIndicator(c)) throw BAIL;
    if ((c === DASH || c === 63 /* ? */ || c === COLON) && (p + 1 === this.ce || t.charCodeAt(p + 1) === SPACE)) throw BAIL;
    return this.plainEnd(p);
  }

  /** Where the rest of a plain scalar's line from p ends: before a comment, trailing spaces dropped. */
  private plainEnd(p: number): number {
    const t = this.text;
    let end = this.commentIn(p + 1);
    // a `: ` or a tab before the comment (or the line's end) is outside the subset
    if (this.mappingColonIn(p + 1, end) !== -1 || this.tabIn(p + 1, end)) throw BAIL;
    this.commented = end < this.ce;
    while (t.charCodeAt(end - 1) === SPACE) end--;
    return end;
  }

  // Where the next `:`, `#`, tab or backslash is: one indexOf per kind,
  // remembered while the scanner moves forward past it, so a long scalar is
  // searched once per kind rather than char by char.
  private readonly nextFrom = [Infinity, Infinity, Infinity, Infinity];
  private readonly nextAt = [-1, -1, -1, -1];

  /** The first NEEDLES[kind] at or after p, -1 when there is none. */
  private next(kind: number, p: number): number {
    const at = this.nextAt[kind]!;
    if (this.nextFrom[kind]! <= p && (at === -1 || at >= p)) return at;
    this.nextFrom[kind] = p;
    return (this.nextAt[kind] = this.text.indexOf(NEEDLES[kind]!, p));
  }

  /** Where a comment (` #`) starts in the current line from `from` on; the line's end when none does. */
  private commentIn(from: number): number {
    const t = this.text;
    const ce = this.ce;
    for (let h = this.next(K_HASH, from); h !== -1 && h < ce; h = this.next(K_HASH, h + 1)) {
      if (t.charCodeAt(h - 1) === SPACE) return h;
    }
    return ce;
  }

  /** The first `:` in [from, stop) followed by a space or the line's end; -1 when none is. */
  private mappingColonIn(from: number, stop: number): number {
    const t = this.text;
    for (let c = this.next(K_COLON, from); c !== -1 && c < stop; c = this.next(K_COLON, c + 1)) {
      if (c + 1 === this.ce || t.charCodeAt(c + 1) === SPACE) return c;
    }
    return -1;
  }

  private tabIn(from: number, stop: number): boolean {
    const i = this.next(K_TAB, from);
    return i !== -1 && i < stop;
  }

  /** A map key at p followed by `:` and a space or the line's end; undefined when p starts a value. */
  private key(p: number): Key | undefined {
    const t = this.text;
    const ce = this.ce;
    const c = t.charCodeAt(p);
    let name: string;
    let q: number;
    if (c === SQUOTE || c === DQUOTE) {
      const quoted = this.quoted(p, true);
      q = quoted.end;
      while (q < ce && t.charCodeAt(q) === SPACE) q++;
      if (q === ce || t.charCodeAt(q) !== COLON) return undefined;
      name = quoted.value;
    } else {
      if (c === 63 /* ? */ || c === COLON || isIndicator(c)) return undefined;
      if (c === DASH && (p + 1 === ce || t.charCodeAt(p + 1) === SPACE)) return undefined; // a sequence entry
      // the first of: `: ` (a key), ` #` (a value with a comment), a tab (bail)
      const comment = this.commentIn(p + 1);
      q = this.mappingColonIn(p + 1, comment);
      if (this.tabIn(p + 1, q === -1 ? comment : q)) throw BAIL;
      if (q === -1) return undefined;
      let end = q;
      while (t.charCodeAt(end - 1) === SPACE) end--;
      name = plainKeyName(t.slice(p, end));
    }
    const n = q + 1 < ce ? t.charCodeAt(q + 1) : SPACE;
    if (n === TAB) throw BAIL;
    if (n !== SPACE) return undefined;
    if (q - p > 1000 || name === '<<') throw BAIL;
    return { name, offset: p, end: q + 1 };
  }

  /** A quoted scalar that closes on its own line; its value is '' unless `build`. */
  private quoted(p: number, build: boolean): { value: string; end: number } {
    const t = this.text;
    const ce = this.ce;
    if (t.charCodeAt(p) === SQUOTE) {
      let value = '';
      let from = p + 1;
      for (;;) {
        const i = t.indexOf("'", from);
        if (i === -1 || i >= ce) throw BAIL;
        if (build) value += t.slice(from, i);
        if (t.charCodeAt(i + 1) === SQUOTE && i + 1 < ce) {
          value += "'";
          from = i + 2;
        } else {
          return { value, end: i + 1 };
        }
      }
    }
    let value = '';
    let from = p + 1;
    for (;;) {
      const i = t.indexOf('"', from);
      if (i === -1 || i >= ce) throw BAIL;
      const b = this.next(K_BACKSLASH, from);
      if (b === -1 || b > i) return { value: build ? value + t.slice(from, i) : '', end: i + 1 };
      // an escape before the quote (the quote found may be an escaped one)
      const [text, length] = escape(t, b + 1, ce);
      if (build) value += t.slice(from, b) + text;
      from = b + 1 + length;
    }
  }


  /** A literal or folded block scalar whose header is at p; `parent` is the enclosing indentation; '' unless `scalars`. */
  private blockScalar(parent: number, p: number): string {
    const t = this.text;
    const folded = t.charCodeAt(p) === 62;
    let chomp = 0; // -1 strip, 0 clip, 1 keep
    let explicit = 0;
    let q = p + 1;
    for (let k = 0; k < 2 && q < this.ce; k++, q++) {
      const ch = t.charCodeAt(q);
      if ((ch === DASH || ch === 43) && chomp === 0) chomp = ch === DASH ? -1 : 1;
      else if (ch >= 49 && ch <= 57 && explicit === 0) explicit = ch - 48;
      else break;
    }
    if (q < this.ce && t.charCodeAt(q) !== SPACE) throw BAIL;
    this.expectEnd(q);
    let indent = explicit ? parent + explicit : -1;
    if (explicit && parent < 0) throw BAIL;
    // the scalar's lines (built values only); `count` of them so far, `last`: the count up to the last non-empty one
    const lines: string[] | undefined = this.scalars ? [] : undefined;
    let count = 0;
    let last = 0;
    let maxBlank = 0;
    this.nextLine();
    while (!this.eof()) {
      let s = this.ind;
      if (this.ls + s === this.ce) {
        // an empty line: part of the scalar; spaces past its indentation would be content
        if (indent >= 0 ? s > indent : false) throw BAIL;
        if (s > maxBlank) maxBlank = s;
        if (this.le < t.length) {
          // spaces ending the text with no line break add no line
          lines?.push('');
          count++;
        }
        this.nextLine();
        continue;
      }
      if (t.charCodeAt(this.ls + s) === TAB && (indent < 0 || s < indent)) throw BAIL;
      if (indent < 0) {
        if (s <= parent) break;
        indent = s;
      }
      if (s < indent) break;
      if (this.ind === 0 && this.isMarker()) break;
      if (folded && s > indent) throw BAIL; // more-indented lines fold differently
      if (folded && t.charCodeAt(this.ls + indent) === TAB) throw BAIL;
      lines?.push(t.slice(this.ls + indent, this.ce)); // never empty: s >= indent and the line has content
      last = ++count;
      this.nextLine();
    }
    if (indent >= 0 && maxBlank > indent) throw BAIL;
    if (indent < 0 && maxBlank > 0) throw BAIL;
    if (last === 0) {
      if (chomp !== 1) return '';
      if (count === 0) throw BAIL;
      return '\n'.repeat(count);
    }
    if (!lines) return '';
    let value: string;
    if (!folded) {
      value = lines.slice(0, last).join('\n');
    } else {
      value = '';
      let i = 0;
      while (lines[i] === '') {
        value += '\n';
        i++;
      }
      value += lines[i++];
      let blanks = 0;
      for (; i < last; i++) {
        const line = lines[i]!;
        if (line === '') {
          blanks++;
          continue;
        }
        value += (blanks === 0 ? ' ' : '\n'.repeat(blanks)) + line;
        blanks = 0;
      }
    }
    if (chomp === -1) return value;
    if (chomp === 0) return value + '\n';
    return value + '\n'.repeat(count - last + 1);
  }
}

/** parseFastYaml: each document as plain data, with the line its content starts on. */
class DocumentBuilder implements NodeBuilder<unknown, Record<string, unknown>, unknown[]> {
  readonly docs: FastDocument[] = [];
  readonly scalars = true;
  /** lineOf's count: newlines before `countedTo`, plus one */
  private lineNo = 1;
  private countedTo = 0;

  constructor(private readonly text: string) {}

  scalar(value: unknown): unknown {
    return value;
  }
  newMap(): Record<string, unknown> {
    return {};
  }
  addEntry(map: Record<string, unknown>, name: string, _offset: number, value: unknown): void {
    setKey(map, name, value);
  }
  endMap(map: Record<string, unknown>): unknown {
    return map;
  }
  newSeq(): unknown[] {
    return [];
  }
  addItem(seq: unknown[], _offset: number, value: unknown): void {
    seq.push(value);
  }
  endSeq(seq: unknown[]): unknown {
    return seq;
  }
  document(value: unknown, start: number): void {
    this.docs.push({ value, line: this.lineOf(start) });
  }

  /** The 1-based line of `offset`; offsets come in increasing order. */
  private lineOf(offset: number): number {
    const t = this.text;
    for (let i = t.indexOf('\n', this.countedTo); i !== -1 && i < offset; i = t.indexOf('\n', i + 1)) this.lineNo++;
    this.countedTo = offset;
    return this.lineNo;
  }
}

/** fastOffsets: each document's offset tree; scalars are leaves (null). */
class OffsetBuilder implements NodeBuilder<OffsetMap | OffsetSeq, OffsetMap, OffsetSeq> {
  readonly trees: OffsetTree[] = [];
  readonly scalars = false;

  scalar(): null {
    return null;
  }
  newMap(): OffsetMap {
    return { keys: new Map() };
  }
  addEntry(map: OffsetMap, name: string, offset: number, child: OffsetTree): void {
    if (map.keys.has(name)) throw BAIL; // a duplicate key, as in setKey
    map.keys.set(name, { offset, child });
  }
  endMap(map: OffsetMap): OffsetMap {
    return map;
  }
  newSeq(): OffsetSeq {
    return { items: [] };
  }
  addItem(seq: OffsetSeq, offset: number, child: OffsetTree): void {
    seq.items.push({ offset, child });
  }
  endSeq(seq: OffsetSeq): OffsetSeq {
    return seq;
  }
  document(tree: OffsetTree): void {
    this.trees.push(tree);
  }
}

/** validFastYaml: builds nothing; keeps only the keys of the open mappings, for the duplicate check. */
class KeyChecker implements NodeBuilder<never, number, undefined> {
  readonly scalars = false;
  private readonly keys = new OpenKeys();
  /** nesting depth of the mapping opened last */
  private depth = 0;

  scalar(): null {
    return null;
  }
  /** a mapping one level deeper, with no keys yet: its depth */
  newMap(): number {
    const depth = ++this.depth;
    this.keys.open(depth);
    return depth;
  }
  addEntry(depth: number, name: string): void {
    if (!this.keys.add(depth, name)) throw BAIL; // a duplicate key, as in setKey
  }
  endMap(): null {
    this.depth--;
    return null;
  }
  newSeq(): undefined {
    return undefined;
  }
  addItem(): void {}
  endSeq(): null {
    return null;
  }
  document(): void {}
}

/**
 * Sets a key as the package's toJS does: inherited names (`__proto__`,
 * `toString`) become own properties. A key already there bails out (the
 * package reports duplicates, or merges keys like `1` and `'1'`).
 */
function setKey(map: Record<string, unknown>, name: string, value: unknown): void {
  if (!INHERITED.has(name)) {
    // values are never undefined here, so a defined one is a duplicate
    if (map[name] !== undefined) throw BAIL;
    map[name] = value;
    return;
  }
  if (Object.hasOwn(map, name)) throw BAIL;
  Object.defineProperty(map, name, { value, writable: true, enumerable: true, configurable: true });
}
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** What BlockScanner.next looks for, by kind. */
const NEEDLES = [':', '#', '\t', '\\'];
const K_COLON = 0;
const K_HASH = 1;
const K_TAB = 2;
const K_BACKSLASH = 3;

/** Sentinel: no node below a `key:` or `-`. */
const EMPTY = Symbol('empty');

interface Key {
  /** the key as the JS object key the package's toJS gives */
  name: string;
  offset: number;
  /** offset just past the colon */
  end: number;
}

/** Characters that cannot start a plain scalar (besides `-?:` before a space). */
function isIndicator(c: number): boolean {
  switch (c) {
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case SQUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
    case TAB:
      return true;
    default:
      return false;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The escape after a backslash at i: its text and how many source chars it used. */
function escape(t: string, i: number, ce: number): [string, number] {
  if (i >= ce) throw BAIL; // a line continuation
  const ch = t[i]!;
  const simple = SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return [simple, 1];
  const length = HEX_LENGTH[ch];
  if (length === undefined || i + length >= ce) throw BAIL;
  const hex = t.slice(i + 1, i + 1 + length);
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw BAIL;
  const code = parseInt(hex, 16);
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw BAIL; // go-yaml refuses surrogate codes
  return [String.fromCodePoint(code), length + 1];
}

/**
 * A plain scalar's value as go-yaml v2 resolves it (YAML 1.1, see
 * src/go/yaml11-resolve.ts); bails on `.inf`/`.nan`, which the cluster's
 * JSON cannot carry (the slow path refuses them with a message).
 */
export function resolvePlain(s: string): unknown {
  const value = goPlainValue(s);
  if (typeof value === 'number' && !Number.isFinite(value)) throw BAIL;
  return value;
}

/** The JSON key sigs.k8s.io/yaml makes of a plain key; bails on a key it refuses (null, 2^63 and up). */
function plainKeyName(s: string): string {
  const name = goPlainKey(s);
  if (name === undefined) throw BAIL;
  return name;
}

/** Whether a plain scalar starting with `c` may be `.inf`/`.nan` (starts with `.`, `+` or `-`). */
function mayBeSpecialFloat(c: number): boolean {
  return c === DOT || c === 43 || c === DASH;
}

