/**
 * Reading a file the user named (a flag or an argument). Every failure becomes one KsecError that
 * names the file and says what to do (fileError: exit 2), never a Node stack trace.
 */
import { readFile } from 'node:fs/promises';
import { fileError } from './errors.js';

/** The file's bytes. */
export async function readUserFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw fileError(err, path);
  }
}

/** The file as UTF-8 text. */
export async function readUserText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw fileError(err, path);
  }
}
