/**
 * Reading a file the user named (a flag or an argument). Every failure becomes one KsecError that
 * names the file and says what to do (fileError: exit 2), never a Node stack trace.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ExitCode, KsecError, fileError } from './errors.js';

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

/**
 * Refuses (exit 2) an output file that is one of the inputs: the same path, or
 * the same file under another name (a hard link, `./x` vs `x`, a symlink).
 * Writing plaintext over it would replace the encrypted file. Checked before
 * anything is read or written, so the file is left untouched.
 */
export async function refuseOutputOverInput(output: string, inputs: readonly string[], flag = '-w'): Promise<void> {
  const out = await stat(output).catch(() => undefined);
  for (const input of inputs) {
    if (input === '-') continue;
    const same =
      resolve(input) === resolve(output) ||
      (out !== undefined &&
        (await stat(input).then(
          (info) => info.dev === out.dev && info.ino === out.ino,
          () => false,
        )));
    if (same) {
      throw new KsecError(`${flag} ${output} is the input file: writing there would replace it`, {
        file: input,
        hint: `write to another file, then move it if you mean to replace the input`,
        exitCode: ExitCode.input,
      });
    }
  }
}
