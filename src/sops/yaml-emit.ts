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
import { analyzeScalar, isLineBreak as isBreak, isPrintable, stringStyle } from '../go/yaml-scalar.js';
import type { SopsComment, SopsMap, SopsNode, SopsScalar, SopsSeq } from './tree.js';

const INDENT = 4;
const next = (indent: number) => INDENT * Math.floor((indent + INDENT) / INDENT);

const ESCAPES: Record<number, string> = {
  0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
  0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
};

/**
 * A double-quoted scalar as yaml.v3 writes it: non-printable characters,
 * breaks, `"` and `\\` escaped (short forms where YAML has one). libyaml's
 * BOM test looks at the first character whatever the position, so a string
 * starting with U+FEFF has every character escaped.
 */
function doubleQuoted(s: string): string {
  const escapeAll = s.startsWith('\ufeff');
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (escapeAll || !isPrintable(cp) || cp === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
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

/**
 * A single-quoted scalar as yaml.v3 writes it. Such a string holds no `\n`
 * (that makes it a literal or double-quoted), but may hold the other breaks
 * (\r, U+0085, U+2028, U+2029): each is written as is and starts a new line,
 * whose next character (after any spaces already written) is moved to
 * `indent`, or to the next line when the column is already there.
 */
function singleQuoted(s: string, indent: number): string {
  let out = "'";
  let column = 0;
  let afterBreak = false;
  for (const c of s) {
    if (c === ' ') {
      out += c;
      column++;
    } else if (isBreak(c)) {
      out += c;
      column = 0;
      afterBreak = true;
    } else {
      if (afterBreak) {
        if (column >= indent) {
          out += '\n';
          column = 0;
        }
        out += ' '.repeat(indent - column);
        column = indent;
        afterBreak = false;
      }
      out += c === "'" ? "''" : c;
      column++;
    }
  }
  return out + "'";
}

function stringText(s: string, simpleKey: boolean, blockIndent: number): string {
  switch (stringStyle(s, simpleKey)) {
    case 'plain':
      // sops builds yaml.Node values: "<<" resolves to the merge tag, which the node keeps
      return s === '<<' && !simpleKey ? '!!merge <<' : s;
    case 'single':
      return singleQuoted(s, blockIndent);
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
    const complex = Buffer.byteLength(item.key) > 128 || analyzeScalar(item.key).multiline;
    const complexKey = complex ? stringText(item.key, false, next(indent)) : '';
    const key = complex ? '? ' + complexKey : keyText(item.key) + ':';
    if (inline) w.text += key;
    else w.line(indent, key);
    inline = false;
    if (complex) {
      if (!endsLine(complexKey)) w.text += '\n';
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
