/**
 * Generated YAML for the fast reader's differential test and benchmark:
 * realistic manifests (Secrets, SealedSecrets, Deployments) and random
 * documents that mix every construct the fast path knows with ones it must
 * refuse. Deterministic from the seed (test/helpers/prng.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../helpers/prng.js';

export type Rng = () => number;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const chance = (rng: Rng, p: number): boolean => rng() < p;
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function base64(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += B64[Math.floor(rng() * 64)];
  return s + (length % 4 === 2 ? '==' : length % 4 === 3 ? '=' : '');
}

const NAME = 'abcdefghijklmnopqrstuvwxyz';
function name(rng: Rng): string {
  let s = '';
  for (let i = int(rng, 3, 12); i > 0; i--) s += NAME[Math.floor(rng() * 26)];
  return chance(rng, 0.3) ? `${s}-${int(rng, 0, 99)}` : s;
}

/** A SealedSecret as kubeseal writes it, with `keys` encrypted entries. */
export function sealedSecret(rng: Rng, keys: number): string {
  const ns = name(rng);
  let out = `---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  creationTimestamp: null\n  name: ${name(rng)}\n  namespace: ${ns}\nspec:\n  encryptedData:\n`;
  for (let i = 0; i < keys; i++) out += `    ${name(rng)}${i}: ${base64(rng, int(rng, 400, 700))}\n`;
  out += `  template:\n    metadata:\n      creationTimestamp: null\n      name: app\n      namespace: ${ns}\n    type: Opaque\n`;
  return out;
}

/** A plain Secret, sometimes with stringData and labels. */
export function secret(rng: Rng): string {
  let out = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name(rng)}\n  namespace: ${name(rng)}\n`;
  if (chance(rng, 0.5)) out += `  labels:\n    app.kubernetes.io/name: ${name(rng)}\n    tier: "backend"\n`;
  out += `type: Opaque\ndata:\n`;
  for (let i = int(rng, 1, 6); i > 0; i--) out += `  ${name(rng)}: ${base64(rng, int(rng, 4, 60))}\n`;
  if (chance(rng, 0.5)) out += `stringData:\n  url: 'postgres://u@db:5432/app'\n  config.yaml: |\n    a: 1\n    b: [x]\n`;
  return out;
}

/** A Deployment in kubectl's layout (sequences not indented under their key). */
export function deployment(rng: Rng): string {
  const app = name(rng);
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  annotations:
    ksec.io/checksum: sha256-${base64(rng, 20)}
spec:
  replicas: ${int(rng, 1, 5)}
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
      - name: ${app}
        image: "registry.example.com/${app}:1.${int(rng, 0, 30)}"
        args: ["--port", "8080"]
        env:
        - name: LOG_LEVEL
          value: debug
        - name: RATIO
          value: "0.5"
        envFrom:
        - secretRef:
            name: ${app}-secret
        resources: {}
        ports:
        - containerPort: 8080
          protocol: TCP
      volumes: []
`.replace('        args: ["--port", "8080"]\n', chance(rng, 0.5) ? '        args: ["--port", "8080"]\n' : '');
}

/** A realistic manifest of one of the three kinds. */
export function realisticManifest(rng: Rng): string {
  const r = rng();
  if (r < 0.4) return sealedSecret(rng, int(rng, 1, 8));
  if (r < 0.7) return secret(rng);
  return deployment(rng);
}

// ---- random documents --------------------------------------------------------

const PLAIN = [
  'plain', 'with space', 'a#b', 'http://x.example:80/p?q=1', 'x,y', 'a]b', 'a}b', '-foo', 'é ü', 'a: b', 'a:b', '?x', ':x',
  '@x', '%x', '!x', '&x', '*x', '|x', '>x', '`x', '- x', '-', '?', ':', 'a\tb', '12:30', '1_000', '0b101', '2001-12-14',
  '0x1F', '0x1f', '1e3', '-1E-3', '.5', '-.5', '1.', '+1.5e+3', '-.inf', '.Inf', '+.INF', '.nan', '.NaN', '0o17', '0o8', '017',
  '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'FALSE', 'yes', 'no', 'on', 'off', 'y', '-0',
  '+12', '0', '12345678901234567890', '1.0', '3.14', '.', '-', '+', '..', 'e3', '0x', '0o', 'x #not-a-comment-inside', 'x{y',
  'a"b', "a'b", 'a\\b', 'end:', 'ünïcödé', '{}', '[]', '{a: 1}', '[1, 2]', 'a , b', '---', '...', '=', '<<',
];
const SINGLE = ["'it''s'", "''", "'a: b'", "'# x'", "' lead'", "'trail '", "'\"q\"'", "'multi\n  line'", "'unterminated", "'\\n'"];
const DOUBLE = [
  '"\\u00e9\\t"', '""', '"a: b"', '"# x"', '"\\x41\\U0001F600"', '"bad \\q"', '"\\"q\\""', '"\\\\"', '"\\/"', '"\\0\\a\\b\\e\\N\\_\\L\\P"',
  '"line\n  cont"', '"tab\tin"', '"\\ud83d\\ude00"', '"\\U00110000"', '"trailing\\', '"ends \\\n  next"', '"\\uZZZZ"', '"é"',
];
const KEYS = [
  'name', 'kind', 'data', 'x', 'a b', 'a:b', 'app.kubernetes.io/name', '1', '0x1F', 'true', 'True', '1.0', '-1', '.inf', '__proto__',
  'toString', 'constructor', '"quoted key"', "'single key'", '"a: b"', '~', 'null', '<<', '? x', '-x', '- x', '- x: y', '-', '[a]', '{a}', '&a x', '*a',
  '!!str k', 'k ', 'k  #c', '"k"  ', 'émoji😀', 'a#b', '#c', 'x\ty',
];

interface Style {
  /** mostly constructs the fast path takes, so the test exercises its answers */
  clean: boolean;
  step: number;
  indentSeqs: boolean;
  comments: boolean;
}

// the pools without what is never valid as a one-line value (`k: x`), for clean styles
const valid = (s: string) => !/[\n\t]|^[-?:,[\]{}#&*!|>%@`]|: |:$| #/.test(s) || /^["'][^\n]*["']$/.test(s);
const CLEAN_PLAIN = PLAIN.filter(valid);
const CLEAN_SINGLE = SINGLE.filter(valid);
const CLEAN_DOUBLE = DOUBLE.filter((s) => valid(s) && !/\\[qU]|\\$|\\u[^0-9a-f]/.test(s));

function scalar(rng: Rng, style: Style): string {
  const r = rng();
  const [plain, single, double] = style.clean ? [CLEAN_PLAIN, CLEAN_SINGLE, CLEAN_DOUBLE] : [PLAIN, SINGLE, DOUBLE];
  const base = r < 0.55 ? pick(rng, plain) : r < 0.7 ? pick(rng, single) : r < 0.85 ? pick(rng, double) : base64(rng, int(rng, 1, 40));
  const tails = style.clean ? ['   ', ' # comment', ' #'] : ['   ', ' # comment', '\t', ' #', ' #: x'];
  return base + (chance(rng, 0.1) ? pick(rng, tails) : '');
}

/** A one-line flow collection, nested at most `depth` deep. */
function flow(rng: Rng, depth: number, style: Style): string {
  const isMap = chance(rng, 0.5);
  const items: string[] = [];
  for (let i = int(rng, 0, 4); i > 0; i--) {
    const r = rng();
    const item =
      depth > 0 && r < 0.2
        ? flow(rng, depth - 1, style)
        : r < 0.5
          ? pick(rng, style.clean ? ['x', '1', '0x1F', '-.5', 'nginx:1.2', 'a b', 'true', '~'] : ['x', 'a: b', '-', '#x', 'a #b', ':x', 'x:', '&a x', 'a,b'])
          : r < 0.8
            ? name(rng)
            : pick(rng, ['"q"', "'s'", '"a, b"', '"}"', "'it''s'", '""']);
    const key = chance(rng, 0.8) ? name(rng) : pick(rng, ['"k"', '1', 'true', '~', '<<', 'a b', '"a":']);
    items.push(isMap ? `${key}: ${item}` : item);
  }
  const [open, close] = isMap ? ['{', '}'] : ['[', ']'];
  const pad = chance(rng, 0.3) ? ' ' : '';
  const sep = pick(rng, [', ', ',', ' , ']);
  let out = open + pad + items.join(sep) + pad + close;
  if (!style.clean && chance(rng, 0.1)) out = out.replace(close, ',' + close);
  if (!style.clean && chance(rng, 0.05)) out = out.replace(', ', ',\n  ');
  return out;
}

/** A plain scalar folded over several lines, the way CRD descriptions are written. */
function multiLinePlain(rng: Rng, indent: number, style: Style): string {
  const lines = ['first words'];
  for (let i = int(rng, 1, 4); i > 0; i--) {
    const pad = ' '.repeat(indent + int(rng, 1, 3));
    if (chance(rng, 0.2)) lines.push(chance(rng, 0.5) ? '' : ' '.repeat(int(rng, 0, indent + 2)));
    const word = style.clean ? pick(rng, ['more text', 'x', 'a-b', 'ends.', 'mid # no', 'with `code`']) : pick(rng, ['- item', '# c', 'a: b', '`x', 'x #c', 'ok', '[x]', '{y}', '&a', '*b', '!c', '|d', '>e', "'f'", '"g"', '%h', '@i', ',j', '-k', '?l', ':m', '- ', '? n', ': o', '---', '...', 'p:']);
    lines.push(pad + word);
  }
  return lines.join('\n');
}

function blockScalar(rng: Rng, indent: number): string {
  const header = pick(rng, ['|', '|-', '|+', '>', '>-', '>+', '|2', '>-1', '|+3', '|1-', '| # c', '|0', '|10', '>2+']);
  const explicit = /\d/.exec(header);
  const ci = indent + (explicit ? Number(explicit[0]) : int(rng, 1, 4));
  const pad = (n: number) => ' '.repeat(Math.max(0, n));
  const lines: string[] = [];
  for (let i = int(rng, 0, 5); i > 0; i--) {
    const r = rng();
    if (r < 0.2) lines.push(pad(int(rng, 0, ci)));
    else if (r < 0.28) lines.push(pad(ci + int(rng, 1, 3)) + 'more');
    else if (r < 0.33) lines.push(pad(ci) + '# not a comment');
    else if (r < 0.36) lines.push(pad(ci) + '\tx');
    else if (r < 0.39) lines.push(pad(ci + 1));
    else lines.push(pad(ci) + pick(rng, ['word', 'two words', 'a: b', 'trail  ', '- item', '---', 'x']));
  }
  for (let i = chance(rng, 0.3) ? int(rng, 1, 3) : 0; i > 0; i--) lines.push(pad(int(rng, 0, ci)));
  return header + '\n' + lines.map((l) => l + '\n').join('');
}

/** The value part after `key:` or `- `: either inline (no newline) or starting with a newline. */
function value(rng: Rng, indent: number, depth: number, style: Style, inSeq: boolean): string {
  const r = rng();
  if (depth > 0 && r < 0.2) return '\n' + map(rng, indent + style.step, depth - 1, style);
  if (depth > 0 && r < 0.32) {
    const under = inSeq || style.indentSeqs ? indent + style.step : indent;
    return '\n' + seq(rng, under, depth - 1, style);
  }
  if (r < 0.4) return ' ' + blockScalar(rng, indent).replace(/\n$/, '');
  if (r < 0.45) return pick(rng, style.clean ? [' {}', ' []', '', ' # only a comment', '  '] : [' {}', ' []', '', ' # only a comment', ' &a x', ' *a', ' !!str x', '  ']);
  if (r < 0.52) return ' ' + flow(rng, 2, style);
  if (r < 0.57) return ' ' + multiLinePlain(rng, indent, style);
  return ' ' + scalar(rng, style);
}

function comment(rng: Rng, indent: number, style: Style): string {
  if (!style.comments || !chance(rng, 0.1)) return '';
  return ' '.repeat(chance(rng, 0.5) ? indent : int(rng, 0, 8)) + '# comment: x\n' + (chance(rng, 0.3) ? '\n' : '');
}

function map(rng: Rng, indent: number, depth: number, style: Style): string {
  let out = '';
  for (let i = int(rng, 1, 5); i > 0; i--) {
    const key = chance(rng, style.clean ? 0.95 : 0.75) ? name(rng) : pick(rng, KEYS);
    out += comment(rng, indent, style) + ' '.repeat(indent) + key + ':' + value(rng, indent, depth, style, false) + '\n';
  }
  return out.replace(/\n+$/, '');
}

function seq(rng: Rng, indent: number, depth: number, style: Style): string {
  let out = '';
  for (let i = int(rng, 1, 4); i > 0; i--) {
    const pre = ' '.repeat(indent) + '-' + (chance(rng, 0.1) ? '   ' : ' ');
    const col = pre.length;
    const r = rng();
    let item: string;
    if (depth > 0 && r < 0.3) {
      // compact mapping: `- a: 1` then the other keys at the first key's column
      item = map(rng, col, depth - 1, style).slice(col);
    } else if (depth > 0 && r < 0.4) {
      item = seq(rng, col, depth - 1, style).slice(col);
    } else {
      item = value(rng, indent, depth, style, true).replace(/^ /, '');
    }
    out += comment(rng, indent, style) + pre + item + '\n';
  }
  return out.replace(/\n+$/, '');
}

/** A random stream of 1-4 documents. */
export function randomStream(rng: Rng): string {
  const style: Style = { clean: chance(rng, 0.7), step: pick(rng, [2, 2, 2, 4, 1, 3]), indentSeqs: chance(rng, 0.5), comments: chance(rng, 0.5) };
  const docs: string[] = [];
  for (let i = int(rng, 1, 4); i > 0; i--) {
    const r = rng();
    const body = r < 0.75 ? map(rng, 0, 3, style) : r < 0.9 ? seq(rng, 0, 3, style) : r < 0.95 ? scalar(rng, style) : '';
    docs.push(body);
  }
  let out = chance(rng, 0.3) ? '# leading comment\n' : '';
  docs.forEach((d, i) => {
    const marker = pick(rng, style.clean ? ['---\n', '--- # c\n', '---\n\n', '...\n---\n'] : ['---\n', '--- # c\n', '---\n\n', '--- x\n', '...\n---\n']);
    if (i > 0 || chance(rng, 0.4)) out += marker;
    out += d + (d ? '\n' : '');
  });
  if (chance(rng, 0.1)) out += '...\n';
  if (style.clean) return chance(rng, 0.15) ? out.replace(/\n/g, '\r\n') : out;
  if (chance(rng, 0.05)) out = '%YAML 1.2\n---\n' + out;
  if (chance(rng, 0.05)) out = out.replace(/\n {2}/, '\n\t');
  if (chance(rng, 0.1)) out = out.replace(/\n$/, '');
  if (chance(rng, 0.15)) out = out.replace(/\n/g, '\r\n');
  return out;
}

export function corpusRng(seed: number): Rng {
  return mulberry32(seed);
}

/** Every file under `dir` (node_modules left out) whose name matches `pattern`: the real-file corpus. */
export function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, pattern));
    else if (pattern.test(entry)) out.push(path);
  }
  return out;
}
