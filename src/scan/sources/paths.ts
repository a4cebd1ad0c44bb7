/**
 * The files and directories named on the command line. A file named is
 * scanned even if ignored; a directory contributes its files minus what
 * .gitignore and `.ksecignore` ignore. Display paths keep the name as given
 * (`deploy/` + `app.yaml`).
 */
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { fileError } from '../../errors.js';
import { listDirectory } from './list-directory.js';
import { readPathSync } from './read-path.js';
import type { Source, SourceFile, SourceOptions } from './source.js';

export async function pathSource(inputs: string[], options: SourceOptions = {}): Promise<Source> {
  const cwd = options.cwd ?? process.cwd();
  const paths: string[] = [];
  let gitIgnored = 0;
  for (const input of inputs) {
    const full = resolve(cwd, input);
    let info;
    try {
      info = await stat(full);
    } catch (err) {
      throw fileError(err, input);
    }
    if (!info.isDirectory()) {
      paths.push(input); // named explicitly: scanned even if ignored
      continue;
    }
    const { files: listed, ignored } = await listDirectory(full);
    gitIgnored += ignored;
    // `.ksecignore` paths are relative to cwd, the root of the scan
    const ignoreBase = options.ignore ? toPosix(relative(cwd, full)) : undefined;
    const prefix = input === '.' || input === './' ? '' : input.endsWith('/') ? input : `${input}/`;
    for (const rel of listed) {
      if (ignoreBase !== undefined && options.ignore!.ignores(ignoreBase === '' ? rel : `${ignoreBase}/${rel}`)) continue;
      paths.push(prefix + rel);
    }
  }
  const base = cwd.endsWith(sep) ? cwd : cwd + sep;
  return { total: paths.length, files: readPaths(paths, base, options.maxFileSize), paths: { base, list: paths, maxFileSize: options.maxFileSize }, gitIgnored };
}

/** The files in order, read synchronously one after the other. */
async function* readPaths(paths: string[], base: string, maxFileSize?: number): AsyncGenerator<SourceFile> {
  for (const path of paths) {
    const file = readPathSync(path, base, maxFileSize);
    if (file) yield file;
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
