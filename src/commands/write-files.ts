/** Writing a command's output files: one step for every command that writes several. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileError } from '../errors.js';
import { writeFilesAtomic, type FileToWrite } from '../manifest/write.js';
import { note } from '../terminal/messages.js';
import { interactive } from '../terminal/style.js';

/** All files or none, their directories created; on an interactive terminal, how many (each one named with -v). */
export async function writeFiles(files: FileToWrite[], verbose = false): Promise<void> {
  for (const dir of new Set(files.map((f) => dirname(f.path)))) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw fileError(err, dir, 'create directory');
    }
  }
  await writeFilesAtomic(files);
  if (verbose) for (const f of files) note(`wrote ${f.path}`);
  else if (interactive()) note(`wrote ${files.length} file${files.length === 1 ? '' : 's'}${files.length === 1 ? `: ${files[0]!.path}` : ''}`);
}
