import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDocument } from 'yaml';
import { renderEditedYaml, setString } from '../../../src/manifest/edit.js';
import { offsetOfPath, positionOf } from '../../../src/manifest/position.js';
import { isFastDocument, objectsOf, parseManifestText } from '../../../src/manifest/read.js';
import { corpusRng, deployment, sealedSecret, secret } from './yaml-corpus.js';

const ROOT = join(__dirname, '../../..');
const CANARY = 'CANARY-fast-yaml-7f3a';

const SECRET = `# a comment
apiVersion: v1
kind: Secret
metadata:
  name: db
  labels: {app: web}
stringData:
  password: ${CANARY}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
data:
  list: |
    a
    b
`;

describe('parseManifestText with the fast path', () => {
  it('gives the same documents as the yaml package, with the Document parsed only on request', () => {
    const fast = parseManifestText(SECRET, 's.yaml');
    const slow = parseManifestText(`%YAML 1.2\n---\n${SECRET}`, 's.yaml'); // a directive: the fast path declines
    expect(fast.documents.every(isFastDocument)).toBe(true);
    expect(slow.documents.some(isFastDocument)).toBe(false);
    expect(fast.documents.map((d) => d.value)).toEqual(slow.documents.map((d) => d.value));
    expect(fast.documents.map((d) => d.line)).toEqual([2, 10]);
    expect(objectsOf([fast]).map((o) => o.object.kind)).toEqual(['Secret', 'ConfigMap']);

    const doc = fast.documents[1]!.yaml;
    expect(isDocument(doc)).toBe(true);
    expect(doc!.toJS()).toEqual(fast.documents[1]!.value);
    expect(fast.documents[1]!.yaml).toBe(doc); // parsed once, then kept
  });

  it('keeps edits made through document.yaml (the seal merge and checksum stamping path)', () => {
    const file = parseManifestText(SECRET, 's.yaml');
    setString(file.documents[0]!.yaml!, ['metadata', 'annotations', 'x'], 'y');
    expect(file.documents[0]!.yaml!.toJS().metadata.annotations).toEqual({ x: 'y' });
    const out = renderEditedYaml(file, new Set([0]));
    expect(out).toContain('  annotations:\n    x: "y"\n'); // go-yaml reads a plain y as true
    expect(out).toContain('# a comment\n');
    expect(out.endsWith('  list: |\n    a\n    b\n')).toBe(true);
  });

  it('lets callers replace document.yaml and copy documents with spread', () => {
    const file = parseManifestText(SECRET, 's.yaml');
    const original = file.documents[0]!;
    const copy = { ...original, yaml: original.yaml!.clone() };
    expect(copy.yaml).not.toBe(original.yaml);
    original.yaml = undefined;
    expect(original.yaml).toBeUndefined();
  });

  it('answers positionOf from its own offsets, as the yaml nodes would', () => {
    const rng = corpusRng(3);
    const text = [secret(rng), sealedSecret(rng, 3), deployment(rng), SECRET].join('---\n');
    const file = parseManifestText(text, 'm.yaml');
    const paths: (string | number)[][] = [
      ['metadata', 'name'],
      ['stringData', 'password'],
      ['spec', 'encryptedData'],
      ['spec', 'template', 'spec', 'containers', 0, 'env', 1, 'value'],
      ['spec', 'template', 'spec', 'containers', 0, 'image'],
      ['metadata', 'labels', 'app'],
      ['data', 'list'],
      ['nope'],
      ['metadata', 'nope', 'deeper'],
    ];
    const reparsed = parseManifestText(`%YAML 1.2\n---\n${text}`, 'm.yaml');
    expect(file.documents.length).toBeGreaterThan(3);
    for (const document of file.documents) {
      expect(isFastDocument(document)).toBe(true);
      for (const path of paths) {
        const position = positionOf(file, document, path);
        // the reference: the yaml package's node ranges (offsets shifted by the directive's 14 chars)
        const offset = offsetOfPath(reparsed.documents[document.index]!.yaml!, path);
        const expected = offset === undefined ? { line: document.line, column: 1 } : positionOf(reparsed, reparsed.documents[document.index]!, path);
        expect(position).toEqual(offset === undefined ? expected : { line: expected.line - 2, column: expected.column });
      }
    }
  });

  it('does not load the yaml package to read a plain manifest, and loads it when a Document is asked for', () => {
    const script = `
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/yaml/'));
      import('./src/manifest/read.ts').then(async (m) => {
        const file = m.parseManifestText(${JSON.stringify(SECRET)}, 'a.yaml');
        const { positionOf } = await import('./src/manifest/position.ts');
        const pos = positionOf(file, file.documents[0], ['stringData', 'password']);
        const before = loaded();
        const doc = file.documents[0].yaml;
        console.log(JSON.stringify({ before, after: loaded(), isDoc: typeof doc.toJS === 'function', pos }));
      });`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: false, after: true, isDoc: true, pos: { line: 8, column: 3 } });
    expect(out).not.toContain(CANARY);
  });
});
