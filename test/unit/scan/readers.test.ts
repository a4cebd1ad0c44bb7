/** The Helm-template line reader and key positions (ignore rules: ignore-rules.test.ts). */
import { describe, expect, it } from 'vitest';
import { positionOf } from '../../../src/manifest/position.js';
import { parseManifestText } from '../../../src/manifest/read.js';
import { readHelmTemplateLines } from '../../../src/scan/helm-template-lines.js';

describe('readHelmTemplateLines', () => {
  it('reads a Helm template that is not YAML, skipping template lines', () => {
    const docs = readHelmTemplateLines(
      [
        '{{- if .Values.enabled }}',
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: {{ .Release.Name }}',
        '  labels:',
        '    {{- include "labels" . | nindent 4 }}',
        'data:',
        '  a: {{ .Values.a | b64enc }}',
        '  {{- if .Values.b }}',
        '  b: "YmJi"  # comment',
        '  {{- end }}',
        '---',
        'kind: ConfigMap',
        'data:',
        '  script: |',
        '    line one',
        '    line two',
        '  list:',
        '  - x',
        '  - name: y',
        '    value: z',
        '{{- end }}',
      ].join('\n'),
    );
    expect(docs).toHaveLength(2);
    expect(docs[0]!.value).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: '{{ .Release.Name }}', labels: null }, data: { a: '{{ .Values.a | b64enc }}', b: 'YmJi' } });
    expect(docs[0]!.positions.get(['data', 'b'].join('\0'))).toEqual({ line: 11, column: 3 });
    expect(docs[1]!.value).toEqual({ kind: 'ConfigMap', data: { script: 'line one\nline two', list: ['x', { name: 'y', value: 'z' }] } });
    expect(docs[1]!.positions.get(['data', 'list', 1, 'value'].join('\0'))).toEqual({ line: 22, column: 5 });
  });

  it('never throws on garbage', () => {
    expect(() => readHelmTemplateLines('::: - - [ {{ \n\t- : \n  -\n- a: b\n   c')).not.toThrow();
  });
});

describe('positionOf', () => {
  it('finds keys in YAML, lists and JSON', () => {
    const yaml = parseManifestText('# c\nkind: List\nitems:\n  - kind: Secret\n    data:\n      pw: eA==\n', 'l.yaml');
    expect(positionOf(yaml, yaml.documents[0]!, ['items', 0, 'data', 'pw'])).toEqual({ line: 6, column: 7 });
    const json = parseManifestText('{"kind": "A"}\n{\n  "kind": "Secret",\n  "data": {"pw": "eA=="}\n}\n', 'x.json');
    expect(positionOf(json, json.documents[1]!, ['data', 'pw'])).toEqual({ line: 4, column: 12 });
    expect(positionOf(json, json.documents[1]!, ['nope'])).toEqual({ line: 2, column: 1 });
  });
});
