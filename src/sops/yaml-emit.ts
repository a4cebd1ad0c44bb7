/**
 * Prints the sops tree as YAML byte for byte as `sops decrypt` does, which
 * is gopkg.in/yaml.v3 (go.yaml.in/yaml/v3) with indent 4 and no line
 * width: block maps and sequences, `{}`/`[]` when empty, sequences indented
 * under their key, `- ` items whose maps/sequences continue two columns
 * after the dash, block scalars indented to the next multiple of four,
 * comments on their own lines. String styles follow yaml.v3: plain when the
 * text would read back as the same string, else single or double quotes,
 * literal blocks for multi-line text.
 */
import { goFormatFloatG } from '../go/strconv.js';
import type { SopsComment, SopsMap, SopsNode, SopsScalar, SopsSeq } from './tree.js';

const INDENT = 4;
const next = (indent: number) => INDENT * Math.floor((indent + INDENT) / INDENT);

const OLD_BOOLS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF']);
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_WORDS = new Set([
  '~', 'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);

/** Whether yaml.v3 would read `s`, unquoted, as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (s === '' || SPECIAL_WORDS.has(s)) return true;
  if (!/^[-+0-9.]/.test(s)) return false;
  if (/^[0-9]{4}-/.test(s) && isTimestamp(s)) return true;
  const plain = s.replace(/_/g, '');
  if (/^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/.test(plain)) {
    // ParseInt/ParseUint base 0: a leading 0 means octal, so 08 is not an int (but is a YAML float)
    if (/^[-+]?0[0-9]+$/.test(plain) && !/^[-+]?0[0-7]+$/.test(plain)) return YAML_FLOAT.test(plain);
    return true;
  }
  return YAML_FLOAT.test(plain);
}

function isTimestamp(s: string): boolean {
  return /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|z|[+-]\d{2}:\d{2})| \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?)?$/.test(s);
}

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

const isBreak = (c: string) => c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

/** libyaml's yaml_emitter_analyze_scalar, for block context. */
function analyze(value: string): Analysis {
  if (value.length === 0) return { multiline: false, blockPlain: true, singleQuoted: true, block: false };
  const chars = [...value];
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const nextChar = chars[i + 1];
    const followedByWs = nextChar === undefined || isBlank(nextChar);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':') && followedByWs) blockIndicators = true;
      else if (c === '-' && followedByWs) blockIndicators = true;
    } else if ((c === ':' && followedByWs) || (c === '#' && precededByWs)) {
      blockIndicators = true;
    }
    if (c === '\t') tabs = true;
    else if (!isPrintable(c.codePointAt(0)!)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlank(c) || isBreak(c);
  }
  const a: Analysis = { multiline: lineBreaks, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) a.blockPlain = a.singleQuoted = false;
  if (spaceBreak || tabs || special) a.blockPlain = a.singleQuoted = false;
  if (spaceBreak || special) a.block = false;
  if (lineBreaks) a.blockPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

/** The style yaml.v3 ends up with for a string (Node.Encode, then emitting the node). */
function stringStyle(s: string, simpleKey: boolean): Style {
  let style: Style = s.includes('\n') ? 'literal' : !resolvesToNonString(s) && !BASE60.test(s) && !OLD_BOOLS.has(s) ? 'plain' : 'double';
  const a = analyze(s);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain' && (!a.blockPlain || (s === '' && simpleKey))) style = 'single';
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  return style;
}

const ESCAPES: Record<number, string> = {
  0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
  0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
};

function doubleQuoted(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
      const short = ESCAPES[cp];
      if (short) out += '\\' + short;
      else if (cp <= 0xff) out += '\\x' + cp.toString(16).toUpperCase().padStart(2, '0');
      else if (cp <= 0xffff) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
      else out += '\\U' + cp.toString(16).toUpperCase().padStart(8, '0');
    } else {
      out += c;
    }
  }
  return out + '"';
}

/** A literal block: the header after the key/dash, then the content lines at `indent`. */
function literal(s: string, indent: number): string {
  let header = '|';
  if (s[0] === ' ' || isBreak(s[0]!)) header += String(INDENT);
  const last = s[s.length - 1]!;
  if (!isBreak(last)) header += '-';
  else if (s.length === 1 || isBreak(s[s.length - 2]!)) header += '+';
  let out = header + '\n';
  const pad = ' '.repeat(indent);
  let atLineStart = true;
  for (const c of s) {
    if (isBreak(c)) {
      // yaml.v3 writes breaks other than \n as they are and then counts a new line
      out += c;
      atLineStart = true;
    } else {
      if (atLineStart) out += pad;
      out += c;
      atLineStart = false;
    }
  }
  return atLineStart ? out : out + '\n';
}

/** Whether printed scalar text already ends its line (a block scalar ending in a break). */
function endsLine(text: string): boolean {
  return text.startsWith('|') && isBreak(text[text.length - 1]!);
}

function stringText(s: string, simpleKey: boolean, blockIndent: number): string {
  switch (stringStyle(s, simpleKey)) {
    case 'plain':
      return s;
    case 'single':
      return "'" + s.replace(/'/g, "''") + "'";
    case 'double':
      return doubleQuoted(s);
    case 'literal':
      return literal(s, blockIndent);
  }
}

function scalarText(node: SopsScalar, blockIndent: number): string {
  switch (node.kind) {
    case 'str':
      return stringText(node.value, false, blockIndent);
    case 'bytes':
      return stringText(node.value.toString('utf8'), false, blockIndent);
    case 'int':
      return node.value;
    case 'float':
      if (Number.isNaN(node.value)) return '.nan';
      if (!Number.isFinite(node.value)) return node.value > 0 ? '.inf' : '-.inf';
      return goFormatFloatG(node.value);
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'time':
      return node.value;
  }
}

class Writer {
  text = '';
  line(indent: number, content: string): void {
    this.text += ' '.repeat(indent) + content;
  }
}

function comment(w: Writer, indent: number, c: SopsComment): void {
  w.line(indent, '#' + c.value + '\n');
}

/** Comments at the start of a collection placed after a dash are printed above the dash. */
function leadingComments(node: SopsNode): SopsComment[] {
  if (node.kind !== 'map' && node.kind !== 'seq') return [];
  const out: SopsComment[] = [];
  for (const item of node.items) {
    if (item.kind !== 'comment') break;
    out.push(item);
  }
  return out;
}

function isEmptyCollection(node: SopsNode): boolean {
  return (node.kind === 'map' || node.kind === 'seq') && node.items.every((i) => i.kind === 'comment');
}

/** Writes a value after `key:` or `- `; `inline` is the column where the value would start on the same line. */
function value(w: Writer, node: SopsNode, parentIndent: number, afterDash: boolean, skip: number): void {
  if (node.kind === 'map' || node.kind === 'seq') {
    if (isEmptyCollection(node)) {
      w.text += (afterDash ? '' : ' ') + (node.kind === 'map' ? '{}' : '[]') + '\n';
      return;
    }
    if (afterDash) {
      if (node.kind === 'map') mapping(w, node, parentIndent + 2, true, skip);
      else sequence(w, node, parentIndent + 2, true, skip);
    } else {
      w.text += '\n';
      if (node.kind === 'map') mapping(w, node, next(parentIndent), false, 0);
      else sequence(w, node, next(parentIndent), false, 0);
    }
    return;
  }
  const blockIndent = afterDash ? parentIndent + 2 : next(parentIndent);
  const text = scalarText(node, blockIndent);
  w.text += (afterDash ? '' : ' ') + text + (endsLine(text) ? '' : '\n');
}

function keyText(key: string): string {
  return stringText(key, true, 0);
}

function mapping(w: Writer, map: SopsMap, indent: number, firstInline: boolean, skip: number): void {
  let inline = firstInline;
  map.items.slice(skip).forEach((item) => {
    if (item.kind === 'comment') {
      comment(w, indent, item);
      return;
    }
    // yaml.v3 writes keys over 128 bytes or with line breaks as `? key` / `: value`
    const complex = Buffer.byteLength(item.key) > 128 || analyze(item.key).multiline;
    const key = complex ? '? ' + stringText(item.key, false, next(indent)) : keyText(item.key) + ':';
    if (inline) w.text += key;
    else w.line(indent, key);
    inline = false;
    if (complex) {
      if (!endsLine(key)) w.text += '\n';
      w.line(indent, ':');
    }
    value(w, item.value, indent, false, 0);
  });
}

function sequence(w: Writer, seq: SopsSeq, indent: number, firstInline: boolean, skip: number): void {
  let inline = firstInline;
  seq.items.slice(skip).forEach((item) => {
    if (item.kind === 'comment') {
      comment(w, indent, item);
      return;
    }
    const hoisted = isEmptyCollection(item) ? [] : leadingComments(item);
    for (const c of hoisted) comment(w, indent, c);
    if (inline && hoisted.length === 0) w.text += '- ';
    else w.line(indent, '- ');
    inline = false;
    value(w, item, indent, true, hoisted.length);
  });
}

/** The YAML stream `sops decrypt` prints for these documents. */
export function emitYamlTree(branches: SopsMap[]): string {
  return branches
    .map((branch) => {
      const w = new Writer();
      if (isEmptyCollection(branch)) {
        for (const item of branch.items) comment(w, 0, item as SopsComment);
        return w.text + '{}\n';
      }
      mapping(w, branch, 0, false, 0);
      return w.text;
    })
    .join('---\n');
}
