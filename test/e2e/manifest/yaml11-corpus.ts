/**
 * Generated YAML documents for the differential test of ksec's manifest
 * reader against sigs.k8s.io/yaml (yaml11-differential.test.ts). Every row of
 * issue 19's table (YAML 1.1 keys and values, typed Kubernetes fields, raw
 * control and line-break characters, escapes, null and collection keys) and
 * ordinary manifests, each document on its own. Deterministic (seeded).
 *
 * Two keys of one map never become the same JSON key by different Go values
 * (`1` and `"1"`): sigs.k8s.io/yaml keeps either at random there, so the
 * reference has no single answer (ksec refuses them).
 */
import { mulberry32 } from '../../helpers/prng.js';

export type Rng = () => number;

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, n: number) => Math.floor(r() * n);

/** Plain scalars whose reading differs between YAML 1.1 (go-yaml) and 1.2, and their neighbours. */
export const SCALARS = [
  // bools and nulls of YAML 1.1 (and words that are not)
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'yES', 'oN', 'nO', 'tRUE', 'yess', 'o', 'f', 't',
  '~', 'null', 'Null', 'NULL', 'nULL', 'none', 'nil',
  // ints
  '0', '1', '-1', '+1', '010', '07', '08', '09', '00', '-0', '+0', '0o17', '0O17', '0o8', '0x1F', '0X10', '0xG', '0x',
  '0b11', '0B101', '-0b101', '+0b101', '0b2', '0b', '1_000', '1__0', '_1', '1_', '0x_1F', '0b1_0', '0_7', '0_8',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '18446744073709551615', '18446744073709551616',
  '123456789012345678901234567890', '9007199254740993', '1:20', '190:20:30',
  // floats
  '1.5', '1.', '-.5', '.5', '+.5', '.5_0', '._5', '1e5', '1E5', '1e+5', '1.5e-3', '1.5e10', '1e6', '123456.0', '1234567.0',
  '0.1', '3.14159265358979', '1e-7', '1e21', '1e400', '1.7976931348623157e309', '1e', 'e5', '1.2.3', '.', '0.', '0e0',
  '1_2.3_4', '1e1_0', '.e5', '-0.0', '0x1p3', '.inf', '-.inf', '+.inf', '.Inf', '.INF', '.nan', '.NaN', '.NAN',
  'Infinity', 'NaN', 'inf', '.infinity', '1e39', '-1e39', '1.0000001', '16777217', '0.30000001',
  // timestamps and other text
  '2001-12-14', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43.10', '2001-1-2', '12:30', '<<x', 'a', 'abc', '-a', '+a',
] as const;

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'app', 'web', 'db', 'cache', 'api', 'worker', 'k', 'data-x', 'user_name'];

/** A plain word key no scalar of SCALARS can collide with (prefixed `w`). */
function wordKey(r: Rng, i: number): string {
  return `w${pick(r, WORDS)}${i}`;
}

const CONTROL = ['\x00', '\x01', '\x07', '\x08', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f', '\x80', '\x84', '\x86', '\x9f', '\ufffe', '\uffff'];
const BREAKS = ['\u0085', '\u2028', '\u2029'];
const ESCAPES = [
  '\\/', '\\ud800', '\\udfff', '\\ud83d\\ude00', '\\x41', '\\xe9', '\\u00e9', '\\U0001F600', '\\N', '\\_', '\\L', '\\P',
  '\\t', '\\e', '\\0', '\\a', '\\b', '\\v', '\\f', '\\r', '\\n', '\\ ', '\\"', '\\\\', '\\U00110000', '\\u2028',
];

/** One document of a category; `i` varies it. */
type Gen = (r: Rng, i: number) => string;

/** A scalar as a map key among plain word keys. */
const keyDoc: Gen = (r, i) => {
  const lines = [`${wordKey(r, 0)}: a`];
  const s = pick(r, SCALARS);
  lines.splice(int(r, 2), 0, `${s}: v${i}`);
  if (r() < 0.3) lines.push(`${wordKey(r, 1)}: {${pick(r, SCALARS)}: x}`);
  return lines.join('\n') + '\n';
};

/** Two YAML 1.1 spellings of one bool or number as keys (a duplicate to go-yaml). */
const sameKeyDoc: Gen = (r) => {
  const groups = [
    ['y', 'yes', 'on', 'true', 'Y', 'ON'],
    ['n', 'no', 'off', 'false', 'N', 'OFF'],
    ['010', '8', '0o10', '0x8', '0b1000', '+8'],
    ['1_000', '1000', '0x3e8'],
  ];
  const g = pick(r, groups);
  const a = pick(r, g);
  let b = pick(r, g);
  if (b === a) b = g[(g.indexOf(a) + 1) % g.length]!;
  return `${a}: 1\n${b}: 2\n`;
};

/** A scalar as a value: in a map, a sequence, a flow collection. */
const valueDoc: Gen = (r) => {
  const s = pick(r, SCALARS);
  switch (int(r, 4)) {
    case 0:
      return `v: ${s}\n`;
    case 1:
      return `list:\n- ${s}\n- ${pick(r, SCALARS)}\n`;
    case 2:
      return `flow: [${s}, ${pick(r, SCALARS)}]\n`;
    default:
      return `m: {k: ${s}}\n`;
  }
};

const SECRET_HEAD = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: yaml11\n`;

/** Typed fields: stringData, data, annotations and labels with 1.1-sensitive values. */
const typedDoc: Gen = (r, i) => {
  const s = pick(r, SCALARS);
  const quoted = r() < 0.25;
  const v = quoted ? `"${s}"` : s;
  switch (int(r, 6)) {
    case 5:
      return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${r() < 0.5 ? v : `s${i}`}\n  namespace: ${v}\nstringData:\n  a: b\n`;
    case 0:
      return `${SECRET_HEAD(`s${i}`)}stringData:\n  password: ${v}\n  user: admin\n`;
    case 1:
      return `${SECRET_HEAD(`s${i}`)}data:\n  token: ${v}\n`;
    case 2:
      return `${SECRET_HEAD(`s${i}`)}  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: ${v}\nstringData:\n  a: b\n`;
    case 3:
      return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  labels:\n    tier: ${v}\ndata:\n  k: ${pick(r, SCALARS)}\n`;
    default:
      return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\n  annotations:\n    a: ${v}\nspec:\n  replicas: ${pick(r, SCALARS)}\n`;
  }
};

/** Raw control characters and YAML 1.1 line breaks in plain, quoted, block scalars and comments. */
const rawCharDoc: Gen = (r) => {
  const c = r() < 0.5 ? pick(r, CONTROL) : pick(r, BREAKS);
  const spaced = r() < 0.3 ? ` ${c} ` : c;
  switch (int(r, 7)) {
    case 0:
      return `a: x${c}y\n`;
    case 1:
      return `a: "x${spaced}y"\n`;
    case 2:
      return `a: 'x${spaced}y'\n`;
    case 3:
      return `a: 1 # note${c}${r() < 0.5 ? 'more' : ''}\nb: 2\n`;
    case 4:
      return `a: |\n  x${c}y\n`;
    case 5:
      return `# head${c}\na: 1\n`;
    default:
      return `"k${c}": v\n`;
  }
};

/** Escapes in double-quoted scalars. */
const escapeDoc: Gen = (r) => {
  const e = pick(r, ESCAPES);
  return r() < 0.5 ? `a: "x${e}y"\n` : `"k${e}": v\n`;
};

/** Keys kubectl refuses, and their quoted forms it takes. */
const badKeyDoc: Gen = (r) =>
  pick(r, [
    '~: v\n', 'null: v\n', 'NULL: v\n', ': v\n', '[k]: v\n', '{a: 1}: v\n', '? [k]\n: v\n', '? {a: 1}\n: v\n',
    '"~": v\n', "'null': v\n", '"[k]": v\n', 'x: {~: v}\n', 'x: [{null: v}]\n', '? a\n: v\n', '? a\n',
    '9223372036854775808: v\n', '-9223372036854775809: v\n', '"": v\n', '? ""\n: v\n',
  ]);

/** Anchors, aliases, merge keys, tags. */
const structureDoc: Gen = (r) =>
  pick(r, [
    'base: &b {x: 1, y2: 2}\nm:\n  <<: *b\n  z: 3\n',
    'base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n',
    'a: &a {x: 1}\nb: &b {x: 2}\nm:\n  <<: [*a, *b]\n',
    'a: &a {x: 1}\nb: &b {w: 2}\nm:\n  <<: [*a, *b]\n  v: 3\n',
    'a: &a [1, 2]\nm:\n  <<: *a\n',
    'm:\n  <<: {x: 1}\n  y2: 2\n',
    'm:\n  "<<": {x: 1}\n',
    'a: &x yes\nb: *x\n',
    'a: &x 010\n*x : v\n',
    'a: !!str yes\nb: !!str 010\n',
    'a: !!int "12"\nb: !!float 1\nc: !!bool "on"\n',
    'a: !!int 1.5\n',
    'a: !!binary aGk=\n',
    'a: !!binary "not base64!"\n',
    'a: !custom 12\nb: ! yes\n',
    'a: !!null ""\n',
    'a: !!timestamp 2001-12-14\n',
    'a: &r [*r]\n',
  ]);

/** Ordinary manifests: what GitOps trees hold. */
const manifestDoc: Gen = (r, i) => {
  const name = `${pick(r, WORDS).replace('_', '-')}-${i}`;
  switch (int(r, 4)) {
    case 0:
      return [
        SECRET_HEAD(name).trimEnd(),
        '  labels:',
        `    app: ${pick(r, WORDS).replace('_', '-')}`,
        `type: ${pick(r, ['Opaque', 'kubernetes.io/tls', '"Opaque"'])}`,
        'stringData:',
        `  username: "${pick(r, WORDS)}"`,
        `  password: '${pick(r, WORDS)}${int(r, 1000)}'`,
        '  config.yaml: |',
        '    key: value',
        `    n: ${int(r, 100)}`,
        'data:',
        `  token: ${Buffer.from(`${name}-t`).toString('base64')}`,
        '',
      ].join('\n');
    case 1:
      return [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        `  name: ${name}`,
        '  namespace: yaml11 # a comment',
        'data:',
        `  LOG_LEVEL: "${pick(r, ['debug', 'info', 'yes', 'on'])}"`,
        `  greeting: >-`,
        '    hello',
        '    world',
        `  port: "${8000 + int(r, 1000)}"`,
        '',
      ].join('\n');
    case 2:
      return [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: ${name}`,
        'spec:',
        `  replicas: ${int(r, 5)}`,
        '  selector: {matchLabels: {app: web}}',
        '  template:',
        '    metadata:',
        '      labels: {app: web}',
        '      annotations:',
        `        checksum/config: "${'ab'.repeat(8)}"`,
        '    spec:',
        '      containers:',
        '      - name: web',
        `        image: nginx:1.${int(r, 30)}`,
        '        args: ["--port", "8080", --verbose]',
        '        env:',
        '        - name: FLAG',
        `          value: "${pick(r, ['true', 'on', 'yes'])}"`,
        '        ports:',
        '        - containerPort: 8080',
        `          protocol: ${pick(r, ['TCP', 'UDP'])}`,
        '',
      ].join('\n');
    default:
      return [
        'apiVersion: bitnami.com/v1alpha1',
        'kind: SealedSecret',
        'metadata:',
        `  name: ${name}`,
        '  namespace: yaml11',
        '  annotations:',
        `    sealedsecrets.bitnami.com/namespace-wide: "${pick(r, ['true', 'false'])}"`,
        'spec:',
        '  encryptedData:',
        `    password: Ag${Buffer.from(name).toString('base64').replace(/=/g, '')}`,
        '  template:',
        '    metadata:',
        `      name: ${name}`,
        '',
      ].join('\n');
  }
};

/** Categories and how many documents of each one corpus holds. */
export const CATEGORIES: [string, Gen, number][] = [
  ['keys', keyDoc, 4000],
  ['same-key', sameKeyDoc, 600],
  ['values', valueDoc, 4000],
  ['typed fields', typedDoc, 4000],
  ['raw characters', rawCharDoc, 2500],
  ['escapes', escapeDoc, 1200],
  ['refused keys', badKeyDoc, 800],
  ['anchors, merges, tags', structureDoc, 900],
  ['ordinary manifests', manifestDoc, 3000],
];

/** The corpus: every category's documents, labelled. */
export function corpus(seed = 19): { category: string; text: string }[] {
  const r = mulberry32(seed);
  const out: { category: string; text: string }[] = [];
  for (const [category, gen, count] of CATEGORIES) for (let i = 0; i < count; i++) out.push({ category, text: gen(r, i) });
  return out;
}
