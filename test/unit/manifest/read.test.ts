import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import { expandPaths, objectsOf, parseManifestText, readManifestFiles } from '../../../src/manifest/read.js';

const CANARY = 'CANARY-demo-secret-value-7f3a';

describe('parseManifestText', () => {
  it('reads a multi-document YAML stream with line numbers', () => {
    const file = parseManifestText('a: 1\nkind: ConfigMap\n---\n# c\nkind: Secret\n---\n', 'x.yaml');
    expect(file.format).toBe('yaml');
    expect(file.documents.map((d) => d.line)).toEqual([1, 5, 6]);
    expect(objectsOf([file]).map((o) => o.object.kind)).toEqual(['ConfigMap', 'Secret']);
  });

  it('reads single and concatenated JSON, with and without separators', () => {
    const one = parseManifestText('{"kind":"Secret","data":{"a":"Yg=="}}', 'a.json');
    expect(objectsOf([one])).toHaveLength(1);
    const many = parseManifestText('{"kind":"A"}\n{"kind":"B","x":"}{"}{"kind":"C"}', '-');
    expect(many.format).toBe('json');
    expect(objectsOf([many]).map((o) => o.object.kind)).toEqual(['A', 'B', 'C']);
    expect(many.documents.map((d) => d.line)).toEqual([1, 2, 2]);
  });

  it('gives each value of a JSON stream its starting line, and the line of a broken one', () => {
    const stream = '\n{"kind":"A",\n "x": "a\\nb"}\n\n\n  {"kind":"B"}{"kind":"C"}\n[\n{"kind":"D"}\n]\n';
    expect(parseManifestText(stream, 's.json').documents.map((d) => d.line)).toEqual([2, 6, 6, 7]);
    // 5,000 values, one per line: every line right (the stream's lines are counted once, not per value)
    const big = Array.from({ length: 5000 }, (_, i) => `{"kind":"K${i}"}`).join('\n');
    const lines = parseManifestText(big, 'big.json').documents.map((d) => d.line);
    expect(lines.length).toBe(5000);
    expect(lines.every((line, i) => line === i + 1)).toBe(true);
    expect(() => parseManifestText('{"kind":"A"}\n\n{"kind": nope}', 'bad.json')).toThrow(/value starting at line 3/);
  });

  it('flattens kind: List and top-level JSON arrays', () => {
    const list = parseManifestText('apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n- kind: ConfigMap\n', 'l.yaml');
    const objs = objectsOf([list]);
    expect(objs.map((o) => [o.object.kind, o.item])).toEqual([
      ['Secret', 0],
      ['ConfigMap', 1],
    ]);
    const arr = parseManifestText('[{"kind":"A"},{"kind":"B"}]', 'a.json');
    expect(objectsOf([arr]).map((o) => o.object.kind)).toEqual(['A', 'B']);
  });

  it('resolves anchors and merge keys', () => {
    const f = parseManifestText('base: &b {x: 1}\nkind: K\nm:\n  <<: *b\n  z: 2\n', 'a.yaml');
    expect(objectsOf([f])[0]!.object.m).toEqual({ x: 1, z: 2 });
  });

  it('names file and line of malformed YAML without quoting the input', () => {
    const text = `kind: Secret\nstringData:\n  password: ${CANARY}\n bad: [\n`;
    try {
      parseManifestText(text, 'secret.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(KsecError);
      const e = err as KsecError;
      expect(e.file).toBe('secret.yaml');
      expect(e.message).toMatch(/^invalid YAML at line \d+/);
      expect(e.message).not.toContain(CANARY);
      expect(e.exitCode).toBe(2);
    }
  });

  it('names the position of malformed JSON without quoting the input', () => {
    for (const text of [`{"kind":"Secret","data":{"a":${CANARY}}}`, `{"kind":"Secret"`, `"${CANARY}"`]) {
      try {
        parseManifestText(text, 's.json');
        expect.unreachable();
      } catch (err) {
        expect((err as KsecError).message).toMatch(/invalid JSON/);
        expect((err as KsecError).message).not.toContain(CANARY);
      }
    }
  });

  it('rejects documents without a kind', () => {
    expect(() => objectsOf([parseManifestText('a: 1\n', 'x.yaml')])).toThrow(/not a Kubernetes object/);
  });
});

describe('reading files', () => {
  it('walks directories in sorted order, skipping dot-folders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-read-'));
    await mkdir(join(dir, 'b'));
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, 'b', 'z.yaml'), 'kind: Z\n');
    await writeFile(join(dir, 'a.json'), '{"kind":"A"}');
    await writeFile(join(dir, 'notes.txt'), 'kind: T\n');
    await writeFile(join(dir, '.git', 'c.yaml'), 'kind: C\n');
    expect(await expandPaths([dir])).toEqual([join(dir, 'a.json'), join(dir, 'b', 'z.yaml')]);
    const files = await readManifestFiles([dir]);
    expect(objectsOf(files).map((o) => o.object.kind)).toEqual(['A', 'Z']);
  });

  it('reads a file with a UTF-16 byte order mark as go-yaml does (PowerShell 5 writes them)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-read-'));
    const text = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: démo\n';
    await writeFile(join(dir, 'le.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await writeFile(join(dir, 'be.yaml'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    const objects = objectsOf(await readManifestFiles([dir])).map((o) => o.object);
    expect(objects).toEqual([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'démo' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'démo' } },
    ]);
  });

  it('reads stdin as "-"', async () => {
    const files = await readManifestFiles(['-'], { stdin: async () => 'kind: Secret\n' });
    expect(files[0]!.path).toBe('-');
    expect(objectsOf(files)[0]!.object.kind).toBe('Secret');
  });

  it('reports a missing file with exit code 2', async () => {
    await expect(readManifestFiles(['/nonexistent/x.yaml'])).rejects.toMatchObject({
      file: '/nonexistent/x.yaml',
      exitCode: 2,
      message: expect.stringMatching(/no such file/),
    });
  });
});
