/**
 * `ksec seal -o yaml` against kubeseal v0.36.6's bytes for each difference
 * issue #19 lists (and a few more), on one Secret. The expected text is
 * kubeseal's own output for INPUT (`kubeseal --cert t.crt -o yaml < input.json`,
 * the ciphertext replaced by CIPHER). The differential e2e test
 * (test/e2e/seal/kubeseal-bytes.test.ts) covers thousands more.
 */
import { describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import type { Secret } from '../../../src/manifest/objects.js';
import { goYamlV2Marshal } from '../../../src/seal/go-yaml-emit.js';
import { renderSealedSecretJson, renderSealedSecretYaml, sigsYamlMarshal } from '../../../src/seal/layout.js';
import { finishSeal, prepareSeal } from '../../../src/seal/sealed-secret.js';

const INPUT = {"apiVersion":"v1","kind":"Secret","metadata":{"name":"e2","namespace":"ns","labels":{"empty":"","ls":"a\u2028b","ps":"\u2029","emoji":"\ud83d\ude00","ctl":"\u0001","bom":"a\ufeffb","lead-bom":"\ufeffab","tab":"a\tb","nel":"x\u0085y","lone":"\ud800"},"annotations":{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk":"long key","indented":"  two\nlines\n","fold":"one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"},"managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","time":"2024-01-02T03:04:05.5+01:00","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:password":{}}}}]},"stringData":{"password":"v"}};
const KUBESEAL_YAML = [
  "---",
  "apiVersion: bitnami.com/v1alpha1",
  "kind: SealedSecret",
  "metadata:",
  "  name: e2",
  "  namespace: ns",
  "spec:",
  "  encryptedData:",
  "    password: CIPHER",
  "  template:",
  "    metadata:",
  "      annotations:",
  "        fold: one two three four five six seven eight nine ten eleven twelve thirteen",
  "          fourteen fifteen",
  "        indented: |2",
  "            two",
  "          lines",
  "        ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
  "        : long key",
  "      labels:",
  "        bom: \"a\\uFEFFb\"",
  "        ctl: \"\\x01\"",
  "        emoji: \"\\U0001F600\"",
  "        empty: \"\"",
  "        lead-bom: \"\\uFEFF\\x61\\x62\"",
  "        lone: \ufffd",
  "        ls: 'a\u2028          b'",
  "        nel: x y",
  "        ps: '\u2029'",
  "        tab: \"a\\tb\"",
  "      managedFields:",
  "      - apiVersion: v1",
  "        fieldsType: FieldsV1",
  "        fieldsV1:",
  "          f:data:",
  "            .: {}",
  "            f:password: {}",
  "        manager: kubectl",
  "        operation: Update",
  "        time: \"2024-01-02T02:04:05Z\"",
  "      name: e2",
  "      namespace: ns",
].join('\n') + '\n';

function sealed(secret: unknown) {
  const plan = prepareSeal(structuredClone(secret) as Secret, { file: 'in.json' });
  return finishSeal(plan, plan.items.map(() => 'CIPHER'));
}

const line = (key: string) => KUBESEAL_YAML.split('\n').find((l) => l.trimStart().startsWith(`${key}:`));

describe('seal -o yaml: kubeseal v0.36.6 bytes', () => {
  it('prints the whole SealedSecret as kubeseal does', () => {
    expect(renderSealedSecretYaml(sealed(INPUT))).toBe(KUBESEAL_YAML);
  });

  it('empty strings are "" and a name like e2 is plain', () => {
    const text = renderSealedSecretYaml(sealed(INPUT));
    expect(text).toContain('\n        empty: ""\n');
    expect(text).toContain('\n  name: e2\n');
  });

  it('emoji (outside the BMP) as \\U0001F600, C0 controls as \\x01, tabs as \\t', () => {
    const text = renderSealedSecretYaml(sealed(INPUT));
    expect(text).toContain('emoji: "\\U0001F600"\n');
    expect(text).toContain('ctl: "\\x01"\n');
    expect(text).toContain('tab: "a\\tb"\n');
  });

  it('U+FEFF as \\uFEFF; a value starting with it escaped throughout', () => {
    const text = renderSealedSecretYaml(sealed(INPUT));
    expect(text).toContain('bom: "a\\uFEFFb"\n');
    expect(text).toContain('lead-bom: "\\uFEFF\\x61\\x62"\n');
  });

  it('U+2028/U+2029 are line breaks to go-yaml: single-quoted, the next line indented', () => {
    const text = renderSealedSecretYaml(sealed(INPUT));
    expect(text).toContain("ls: 'a\u2028          b'\n");
    expect(text).toContain("ps: '\u2029'\n");
    expect(line('ls')).toBe("        ls: 'a\u2028          b'");
  });

  it('a key over 128 bytes is a ? complex key', () => {
    const text = renderSealedSecretYaml(sealed(INPUT));
    expect(text).toContain(`\n        ? ${'k'.repeat(132)}\n        : long key\n`);
    expect(goYamlV2Marshal(new Map([['k'.repeat(128), 'v']]))).toBe(`${'k'.repeat(128)}: v\n`);
    expect(goYamlV2Marshal(new Map([['é'.repeat(65), 'v']]))).toBe(`? ${'é'.repeat(65)}\n: v\n`); // 130 bytes
  });

  it('a literal block with a leading space gets the indentation hint: |2', () => {
    expect(renderSealedSecretYaml(sealed(INPUT))).toContain('indented: |2\n            two\n          lines\n');
  });

  it('U+0085 is folded into a space (go-yaml reads it back as a line break); a lone surrogate is U+FFFD', () => {
    const text = renderSealedSecretYaml(sealed(INPUT));
    expect(text).toContain('nel: x y\n');
    expect(text).toContain('lone: \ufffd\n');
  });

  it('keeps managedFields (time in UTC to the second), as kubeseal does', () => {
    const s = sealed(INPUT);
    expect(renderSealedSecretYaml(s)).toContain('      managedFields:\n      - apiVersion: v1\n');
    expect(renderSealedSecretYaml(s)).toContain('time: "2024-01-02T02:04:05Z"\n');
    expect(renderSealedSecretJson(s)).toContain('"time": "2024-01-02T02:04:05Z",');
  });

  it('drops unknown metadata fields, server-set ones and ownerReferences, as decoding into ObjectMeta and kubeseal do', () => {
    const input = structuredClone(INPUT) as { metadata: Record<string, unknown> };
    Object.assign(input.metadata, { notAField: 'x', uid: 'u', resourceVersion: '1', generation: 2, ownerReferences: [{ name: 'o' }], finalizers: ['f'] });
    const meta = sealed(input).spec.template!.metadata!;
    expect(Object.keys(meta).sort()).toEqual(['annotations', 'finalizers', 'labels', 'managedFields', 'name', 'namespace']);
  });

  it('folds long plain values past column 80 as go-yaml does', () => {
    expect(renderSealedSecretYaml(sealed(INPUT))).toContain('fold: one two three four five six seven eight nine ten eleven twelve thirteen\n          fourteen fifteen\n');
  });
});

describe('seal -o yaml: what kubeseal refuses', () => {
  const refused = (labels: Record<string, string>) => {
    const input = structuredClone(INPUT) as { metadata: Record<string, unknown> };
    input.metadata.labels = labels;
    return () => renderSealedSecretYaml(sealed(input));
  };

  it('DEL, C1 controls (but U+0085), U+FFFE and U+FFFF: a KsecError naming the file, object and field', () => {
    for (const c of ['\u007f', '\u0080', '\u009f', '\ufffe', '\uffff']) {
      expect(refused({ a: `x${c}` }), JSON.stringify(c)).toThrow(KsecError);
      expect(refused({ [`k${c}`]: 'v' }), JSON.stringify(c)).toThrow(/metadata\.labels\["k.*"\] \(its key\) holds the control character/);
    }
    try {
      refused({ a: '\u007f' })();
    } catch (e) {
      expect(e).toBeInstanceOf(KsecError);
      expect([(e as KsecError).file, (e as KsecError).object]).toEqual(['in.json', 'Secret/ns/e2']);
      expect((e as KsecError).message).toBe('spec.template.metadata.labels.a holds the control character U+007F, which go-yaml cannot read');
    }
  });

  it('U+0085 in a key, a document marker after U+0085, a key of more than 1,022 JSON characters', () => {
    expect(refused({ 'a\u0085b': 'v' })).toThrow(/U\+0085/);
    expect(refused({ a: 'x\u0085--- y' })).toThrow(/document marker/);
    expect(refused({ ['k'.repeat(1023)]: 'v' })).toThrow(/1023 characters long as JSON/);
    expect(refused({ ['k'.repeat(1020) + '<']: 'v' })).toThrow(/1026 characters long as JSON/); // < is \u003c
    expect(refused({ ['k'.repeat(1022)]: 'v' })).not.toThrow();
  });

  it('-o json prints them (kubeseal does too)', () => {
    const input = structuredClone(INPUT) as { metadata: Record<string, unknown> };
    input.metadata.labels = { a: 'x\u007f', 'b\u0085': 'v' };
    expect(renderSealedSecretJson(sealed(input))).toContain('"a": "x\u007f"');
  });
});

describe('sigsYamlMarshal', () => {
  it('goes through JSON like sigs.k8s.io/yaml: U+0085 runs fold (one break: a space; n breaks: n - 1 newlines)', () => {
    expect(sigsYamlMarshal({ k: 'a \u0085 b' })).toBe('k: a b\n');
    expect(sigsYamlMarshal({ k: 'a\u0085\u0085b' })).toBe('k: |-\n  a\n  b\n');
    expect(sigsYamlMarshal({ k: '\u0085a' })).toBe("k: ' a'\n");
  });
});

describe('the refusal is one line', () => {
  it('an object name with line breaks and controls is escaped in the error line', async () => {
    const { formatError } = await import('../../../src/errors.js');
    const input = structuredClone(INPUT) as { metadata: Record<string, unknown> };
    input.metadata.name = 'a\nb\u2028c\u007f';
    let line = '';
    try {
      renderSealedSecretYaml(sealed(input));
    } catch (e) {
      line = formatError(e);
    }
    expect(line).toBe(
      'in.json: Secret/ns/a\\u000ab\\u2028c\\u007f: metadata.name holds the control character U+007F, which go-yaml cannot read (kubeseal -o yaml refuses it too; remove the character, or seal with -o json)',
    );
  });
});

describe('seal -o json: managedFields fieldsV1 as Go copies it', () => {
  const withFields = (fieldsV1: unknown) => {
    const input = structuredClone(INPUT) as { metadata: Record<string, unknown> };
    input.metadata.managedFields = [{ manager: 'm', fieldsType: 'FieldsV1', fieldsV1 }];
    return input;
  };
  const json = (input: unknown, inputFormat?: 'json' | 'yaml') => {
    const plan = prepareSeal(structuredClone(input) as Secret, { file: 'in', inputFormat });
    return renderSealedSecretJson(finishSeal(plan, plan.items.map(() => 'CIPHER')));
  };

  it('from JSON input: keys as written, a lone surrogate escape kept; from YAML input: keys sorted (sigs.k8s.io/yaml made that JSON)', () => {
    const input = withFields({ 'f:z': {}, 'f:a\ud800': { 'f:9': {}, 'f:10': {} } });
    expect(json(input)).toContain('"fieldsV1": {\n              "f:z": {},\n              "f:a\\ud800": {\n                "f:9": {},\n                "f:10": {}');
    expect(json(input, 'yaml')).toContain('"fieldsV1": {\n              "f:a\\ud800": {\n                "f:10": {},\n                "f:9": {}\n              },\n              "f:z": {}');
  });
});

describe('seal -o yaml: shapes, as kubeseal prints them in a managedFields fieldsV1', () => {
  const SHAPES_FIELDS = {"a":{},"b":[],"c":[{"x":"1","y":2.5,"z":[[],[1,{"q":null}],true]}],"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk":{"z":{"w":1}},"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk-s":["a","b"],"multi\nline":{"x":1},"e":[{}]};
  const SHAPES_YAML = [
    "---",
    "apiVersion: bitnami.com/v1alpha1",
    "kind: SealedSecret",
    "metadata:",
    "  name: \"n\"",
    "  namespace: ns",
    "spec:",
    "  encryptedData:",
    "    k: CIPHER",
    "  template:",
    "    metadata:",
    "      managedFields:",
    "      - fieldsV1:",
    "          a: {}",
    "          b: []",
    "          c:",
    "          - x: \"1\"",
    "            \"y\": 2.5",
    "            z:",
    "            - []",
    "            - - 1",
    "              - q: null",
    "            - true",
    "          e:",
    "          - {}",
    "          ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "          : z:",
    "              w: 1",
    "          ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk-s",
    "          : - a",
    "            - b",
    "          ? |-",
    "            multi",
    "            line",
    "          : x: 1",
    "        manager: m",
    "      name: \"n\"",
    "      namespace: ns",
  ].join('\n') + '\n';

  it('empty maps and lists in flow style, lists of lists and of maps, ? keys holding a map, a list or a literal block', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'n', namespace: 'ns', managedFields: [{ manager: 'm', fieldsV1: SHAPES_FIELDS }] }, stringData: { k: 'v' } };
    expect(renderSealedSecretYaml(sealed(secret))).toBe(SHAPES_YAML);
  });
});
