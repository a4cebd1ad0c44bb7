/**
 * go-yaml v2's Marshal (go.yaml.in/yaml/v2 v2.4.3, behind sigs.k8s.io/yaml
 * v1.6.0 and so kubeseal v0.36.6) of a decoded JSON value, byte for byte: a
 * port of its encoder (encode.go: key order, scalar styles) and of the parts
 * of libyaml's emitter (emitterc.go) that such a value reaches: block
 * mappings and sequences, `{}` / `[]` for empty ones, simple and `? ` complex
 * keys, and the plain, single-quoted, double-quoted and literal scalar
 * writers with their line folding at column 80.
 *
 * Input: Maps (keys already in go-yaml order, see sortKeysDeep), arrays,
 * strings, numbers, booleans and null; strings must be well-formed (Go has
 * no lone surrogates). The quirks it keeps, because kubeseal's output has
 * them: a string with a character outside the Basic Multilingual Plane, a
 * C0/C1 control, a tab, U+FEFF, U+FFFE or U+FFFF is double-quoted with
 * escapes (`\U0001F600`, `\x01`, `\t`, `\uFEFF`); one that starts with U+FEFF
 * has every character escaped; U+2028/U+2029 count as line breaks (single
 * quotes, the next line indented); a key of more than 128 UTF-8 bytes or one
 * holding a line break is a `? ` complex key; empty strings are `""`.
 */
import { analyzeScalar, isLineBreak, isPrintable, readsAsOtherType, type ScalarAnalysis as Analysis } from '../go/yaml-scalar.js';
import { goFormatFloatG } from '../go/strconv.js';

const BEST_INDENT = 2;
const BEST_WIDTH = 80;
const MAX_SIMPLE_KEY_BYTES = 128;

type Style = 'plain' | 'single' | 'double' | 'literal';

const isBreak = isLineBreak;
const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

interface Scalar {
  text: string;
  style: Style;
  analysis: Analysis;
}

/**
 * Printable ASCII without a space: a scalar of these (a base64 ciphertext, a name) is written by
 * the plain-style loop one character after another with no break or indent, so all at once.
 */
const UNBROKEN_ASCII = /^[\x21-\x7e]*$/;

/** The scalar event the v2 encoder makes of a value: its text and requested style. */
function scalarEvent(value: unknown): Scalar {
  let text: string;
  let style: Style = 'plain';
  if (typeof value === 'string') {
    text = value;
    style = value.includes('\n') ? 'literal' : readsAsOtherType(value) ? 'double' : 'plain';
  } else if (value === null || value === undefined) text = 'null';
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (typeof value === 'number') text = Number.isSafeInteger(value) ? String(value) : goFloat(value);
  else if (typeof value === 'bigint') text = value.toString();
  else throw new TypeError(`go-yaml emitter: unsupported value of type ${typeof value}`);
  return { text, style, analysis: analyzeScalar(text, 'v2') };
}

function goFloat(x: number): string {
  const s = goFormatFloatG(x);
  return s === '+Inf' ? '.inf' : s === '-Inf' ? '-.inf' : s === 'NaN' ? '.nan' : s;
}

class Emitter {
  private readonly out: string[] = [];
  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = true;

  text(): string {
    return this.out.join('');
  }

  document(root: unknown): void {
    this.node(root, { mapping: false, sequence: false, simpleKey: false });
    this.writeIndent(); // implicit document end
  }

  private put(s: string): void {
    this.out.push(s);
    this.column += s.length; // ASCII only
  }

  private putBreak(): void {
    this.out.push('\n');
    this.column = 0;
  }

  /** write(): one character, one column. */
  private write(c: string): void {
    this.out.push(c);
    this.column++;
  }

  /** write_break(): `\n` as a line break; another break character as itself, column reset. */
  private writeBreak(c: string): void {
    if (c === '\n') this.putBreak();
    else {
      this.out.push(c);
      this.column = 0;
    }
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    for (const c of indicator) this.write(c);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  /** yaml_emitter_emit_node: `ctx` is the context the node is in (a mapping key or value, a sequence item, a simple key). */
  private node(value: unknown, ctx: { mapping: boolean; sequence: boolean; simpleKey: boolean }, event?: Scalar): void {
    if (value instanceof Map) return value.size === 0 ? this.emptyFlow('{', '}') : this.blockMapping(value);
    if (Array.isArray(value)) return value.length === 0 ? this.emptyFlow('[', ']') : this.blockSequence(value, ctx.mapping);
    this.scalar(event ?? scalarEvent(value), ctx.simpleKey);
  }

  /** An empty mapping or sequence: go-yaml prints it in flow style, `{}` / `[]`. */
  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.writeIndicator(close, false, false, false);
  }

  private blockSequence(items: unknown[], mappingContext: boolean): void {
    this.increaseIndent(false, mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { mapping: false, sequence: true, simpleKey: false });
    }
    this.popIndent();
  }

  private blockMapping(map: Map<unknown, unknown>): void {
    this.increaseIndent(false, false);
    for (const [k, v] of map) {
      this.writeIndent();
      const key = scalarEvent(k);
      if (!key.analysis.multiline && utf8Length(key.text) <= MAX_SIMPLE_KEY_BYTES) {
        this.node(k, { mapping: true, sequence: false, simpleKey: true }, key);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(k, { mapping: true, sequence: false, simpleKey: false }, key);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(v, { mapping: true, sequence: false, simpleKey: false });
    }
    this.popIndent();
  }

  /** yaml_emitter_select_scalar_style, then the scalar at one more level of indentation. */
  private scalar(event: Scalar, simpleKey: boolean): void {
    const a = event.analysis;
    let style = event.style;
    if (simpleKey && a.multiline) style = 'double';
    if (style === 'plain' && (!a.blockPlainAllowed || (event.text === '' && simpleKey))) style = 'single';
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
    this.increaseIndent(true, false);
    const allowBreaks = !simpleKey;
    if (style === 'plain') this.plain(event.text, allowBreaks);
    else if (style === 'single') this.singleQuoted([...event.text], allowBreaks);
    else if (style === 'double') this.doubleQuoted([...event.text], allowBreaks);
    else this.literal([...event.text]);
    this.popIndent();
  }

  private plain(text: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    if (UNBROKEN_ASCII.test(text)) {
      this.put(text);
      this.whitespace = false;
      this.indention = false;
      return;
    }
    const chars = [...text];
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') this.writeIndent();
        else this.write(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(chars: string[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const last = chars.length - 1;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < last && chars[i + 1] !== ' ') this.writeIndent();
        else this.write(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === "'") this.put("'");
        this.write(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(chars: string[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    // is_bom() looks at the value's first bytes, not the current ones: a value that starts with U+FEFF is escaped throughout
    const startsWithBom = chars[0] === '\ufeff';
    let spaces = false;
    const last = chars.length - 1;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      const cp = c.codePointAt(0)!;
      if (!isPrintable(cp) || startsWithBom || isBreak(c) || c === '"' || c === '\\') {
        this.put('\\' + escapeOf(cp));
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < last) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.put('\\');
        } else this.write(c);
        spaces = true;
      } else {
        this.write(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(chars: string[]): void {
    this.writeIndicator('|', true, false, false);
    // yaml_emitter_write_block_scalar_hints
    if (chars[0] === ' ' || isBreak(chars[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const last = chars.length - 1;
    let chomp = '';
    if (chars.length === 0 || !isBreak(chars[last])) chomp = '-';
    else if (last === 0 || isBreak(chars[last - 1])) chomp = '+';
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

const NAMED_ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

/** The double-quoted escape of a code point, without its backslash: named, else \xXX, \uXXXX or \UXXXXXXXX (uppercase hex). */
function escapeOf(cp: number): string {
  const named = NAMED_ESCAPES[cp];
  if (named !== undefined) return named;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return 'x' + hex.padStart(2, '0');
  if (cp <= 0xffff) return 'u' + hex.padStart(4, '0');
  return 'U' + hex.padStart(8, '0');
}

/**
 * yaml.Marshal(v) of go-yaml v2: the document body (no `---`), every line
 * ending in `\n`. `sorted` is sortKeysDeep's output (Maps in go-yaml's key order).
 */
export function goYamlV2Marshal(sorted: unknown): string {
  const emitter = new Emitter();
  emitter.document(sorted);
  return emitter.text();
}
