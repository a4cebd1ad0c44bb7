/**
 * JSON as sops reads and writes it: an order-keeping parser (every number is
 * a float64, as Go's json.Decoder gives sops) and the emitter sops uses
 * (encoding/json escaping, including its HTML escapes, re-indented by
 * json.Indent). Parse errors carry positions only, never text.
 */
import { KsecError } from '../errors.js';
import { goJsonNumber, goJsonString } from '../go/json.js';
import { toWellFormed } from '../go/strings.js';
import { goParseInt } from '../go/strconv.js';
import { MAX_NESTING } from '../manifest/yaml-lib.js';
import type { SopsMap, SopsNode, SopsScalar } from './tree.js';

export function parseJsonTree(text: string, file: string): SopsMap {
  let pos = 0;
  let line = 1;
  const fail = (what: string): never => {
    throw new KsecError(`invalid JSON at line ${line}: ${what}`, { file, hint: 'fix the JSON syntax' });
  };
  const skip = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) return;
      pos++;
    }
  };
  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 34) break;
      if (c < 32) fail('control character in string');
      if (c === 92) {
        out += text.slice(start, pos);
        const e = text[pos + 1];
        pos += 2;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = text.slice(pos, pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default:
            fail('invalid escape in string');
        }
        start = pos;
        continue;
      }
      pos++;
    }
    out += text.slice(start, pos);
    pos++;
    return toWellFormed(out);
  };
  let depth = 0;
  const parseValue = (): SopsNode => {
    skip();
    const at = line;
    const c = text[pos];
    if ((c === '{' || c === '[') && depth >= MAX_NESTING) fail(`nesting deeper than ${MAX_NESTING} levels`);
    if (c === '{') {
      depth++;
      const map = parseObject();
      depth--;
      return map;
    }
    if (c === '[') {
      depth++;
      const seq = parseSeq();
      depth--;
      return seq;
    }
    return parseScalar(c, at);
  };
  const parseSeq = (): SopsNode => {
    {
      pos++;
      const items: SopsNode[] = [];
      skip();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'seq', items };
      }
      for (;;) {
        items.push(parseValue());
        skip();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return { kind: 'seq', items };
        } else fail('expected , or ]');
      }
    }
  };
  const parseScalar = (c: string | undefined, at: number): SopsNode => {
    if (c === '"') return { kind: 'str', value: parseString(), line: at };
    const m = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(text.slice(pos, pos + 400));
    if (!m || m[0] === '') return fail('unexpected character');
    pos += m[0].length;
    const word = m[0];
    const scalar: SopsScalar =
      word === 'true' || word === 'false'
        ? { kind: 'bool', value: word === 'true', line: at }
        : word === 'null'
          ? { kind: 'null', line: at }
          : /^-?[0-9]+$/.test(word) && goParseInt(word) !== undefined
            ? { kind: 'int', value: goParseInt(word)!, line: at }
            : { kind: 'float', value: Number(word), line: at };
    return scalar;
  };
  const parseObject = (): SopsMap => {
    pos++;
    const map: SopsMap = { kind: 'map', items: [] };
    skip();
    if (text[pos] === '}') {
      pos++;
      return map;
    }
    for (;;) {
      skip();
      if (text[pos] !== '"') fail('expected an object key');
      const keyLine = line;
      const key = parseString();
      skip();
      if (text[pos] !== ':') fail('expected :');
      pos++;
      map.items.push({ kind: 'item', key, value: parseValue(), line: keyLine });
      skip();
      if (text[pos] === ',') pos++;
      else if (text[pos] === '}') {
        pos++;
        return map;
      } else fail('expected , or }');
    }
  };
  skip();
  if (text[pos] !== '{') fail('a SOPS JSON file holds one object');
  const root = parseObject();
  skip();
  if (pos < text.length) fail('unexpected data after the object');
  return root;
}

function scalarJson(node: SopsScalar): string {
  switch (node.kind) {
    case 'str':
      return goJsonString(node.value);
    case 'int':
      return node.value;
    case 'float':
      if (!Number.isFinite(node.value)) throw new KsecError('a float value is Inf or NaN, which JSON cannot hold', { hint: 'decrypt to YAML instead' });
      return goJsonNumber(node.value);
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'bytes':
      return '"' + node.value.toString('base64') + '"';
    case 'time':
      return '"' + node.value + '"';
    case 'null':
      return 'null';
  }
}

/** The JSON sops prints for a tree, indented with `indent` (sops's default: a tab). */
export function emitJsonTree(root: SopsMap, indent = '\t'): string {
  const out: string[] = [];
  const emit = (node: SopsNode, depth: number) => {
    if (node.kind === 'map' || node.kind === 'seq') {
      const entries = node.kind === 'map' ? node.items.filter((i) => i.kind === 'item') : node.items.filter((i) => i.kind !== 'comment');
      const [open, close] = node.kind === 'map' ? ['{', '}'] : ['[', ']'];
      if (entries.length === 0) {
        out.push(open + close);
        return;
      }
      out.push(open);
      entries.forEach((entry, i) => {
        out.push('\n' + indent.repeat(depth + 1));
        if (entry.kind === 'item') {
          out.push(goJsonString(entry.key) + ': ');
          emit(entry.value, depth + 1);
        } else {
          emit(entry as SopsNode, depth + 1);
        }
        if (i < entries.length - 1) out.push(',');
      });
      out.push('\n' + indent.repeat(depth) + close);
      return;
    }
    out.push(scalarJson(node));
  };
  emit(root, 0);
  return out.join('');
}
