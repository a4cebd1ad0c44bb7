import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/manifest/read.js';
import { renderEditedYaml, setString } from '../../../src/manifest/edit.js';
import { renderJson, renderYaml, writeFileAtomic, writeFilesAtomic } from '../../../src/manifest/write.js';

describe('rendering', () => {
  it('renders a YAML stream without folding long lines', () => {
    const long = 'A'.repeat(300);
    const text = renderYaml([{ kind: 'A', v: long }, { kind: 'B' }]);
    expect(text).toBe(`kind: A\nv: ${long}\n---\nkind: B\n`);
  });
  it('writes a multi-line string whose first line starts with a tab double-quoted: go-yaml refuses it as a block scalar', () => {
    const value = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo' }, data: { script: '\t# indented with a tab\n\tdone\n', later: 'first\n\tsecond\n' } };
    const text = renderYaml([value]);
    expect(text).toContain('script: "\\t# indented with a tab\\n\\tdone\\n"');
    expect(text).toContain('later: |\n');
    // read back as the cluster reads it (the reader refuses what go-yaml refuses)
    expect(parseManifestText(text, 'x.yaml').documents[0]!.value).toEqual(value);
  });
  it('quotes the strings go-yaml would read as something else, and escapes what it cannot read raw', () => {
    const words = ['y', 'N', 'yes', 'on', 'Off', '0o17', '1_000', '010', '0b11', '~', '<<', '.inf', 'true'];
    const value = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo' }, data: Object.fromEntries(words.map((w) => [w, w])) };
    const text = renderYaml([value]);
    for (const w of words) expect(text).toContain(`"${w}": "${w}"`);
    const raw = { a: 'del\x7f', b: 'nel\x85', c: 'ls\u2028ps\u2029', d: 'bom\ufeff', e: ' \n', f: '\t\nx' };
    const escaped = renderYaml([raw]);
    expect(escaped).toBe('a: "del\\x7F"\nb: "nel\\x85"\nc: "ls\\u2028ps\\u2029"\nd: "bom\\uFEFF"\ne: "\\ \\n"\nf: "\\t\\nx"\n');
    // plain words that are strings for go-yaml too stay plain
    expect(renderYaml([{ name: 'web', mode: 'demo', port: '8080x' }])).toBe('name: web\nmode: demo\nport: 8080x\n');
    expect(parseManifestText(text, 'x.yaml').documents[0]!.value).toEqual(value);
    expect(parseManifestText(escaped, 'x.yaml').documents[0]!.value).toEqual(raw);
  });
  it('renders JSON with two-space indent', () => {
    expect(renderJson([{ a: { b: 1 } }])).toBe('{\n  "a": {\n    "b": 1\n  }\n}\n');
  });
});

describe('atomic writes', () => {
  it('writes with the requested mode and leaves no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-write-'));
    await writeFileAtomic(join(dir, 'key.pem'), 'demo', 0o600);
    expect((await stat(join(dir, 'key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['key.pem']);
  });

  it('writes all files or none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-write-'));
    await writeFile(join(dir, 'a.yaml'), 'old\n');
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'a.yaml'), content: 'new\n' },
        { path: join(dir, 'missing-dir', 'b.yaml'), content: 'new\n' },
      ]),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['a.yaml']);
  });

  it('writes many files concurrently, and a failure among them leaves none and names the failing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-write-'));
    const files = Array.from({ length: 40 }, (_, i) => ({ path: join(dir, `f${i}.yaml`), content: `v${i}\n` }));
    await writeFilesAtomic(files);
    expect((await readdir(dir)).length).toBe(40);
    expect(await readFile(join(dir, 'f39.yaml'), 'utf8')).toBe('v39\n');

    const second = await mkdtemp(join(tmpdir(), 'ksec-write-'));
    const bad = join(second, 'missing-dir', 'f25.yaml');
    const many = files.map((f, i) => ({ path: i === 25 ? bad : join(second, `f${i}.yaml`), content: 'new\n' }));
    await expect(writeFilesAtomic(many)).rejects.toMatchObject({ exitCode: 2, file: bad });
    expect(await readdir(second)).toEqual([]);
  });
});

describe('in-place edits', () => {
  it('changes only the edited document and keeps comments', () => {
    const src = '# top\nkind: A # why\nmetadata:\n  name: a\n---\nkind:   B   # untouched spacing\n';
    const file = parseManifestText(src, 'x.yaml');
    const doc = file.documents[0]!.yaml!;
    expect(setString(doc, ['metadata', 'annotations', 'x'], 'y')).toBe(true);
    const out = renderEditedYaml(file, new Set([0]));
    // `y` quoted: go-yaml (kubectl) reads a plain y as true
    expect(out).toBe('# top\nkind: A # why\nmetadata:\n  name: a\n  annotations:\n    x: "y"\n---\nkind:   B   # untouched spacing\n');
  });
});
