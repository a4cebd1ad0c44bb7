/** `ksec sops decrypt` and `ksec sops status`: flags in; read the input, call the sops library, print, set the exit code. */
import { stat } from 'node:fs/promises';
import { ExitCode, KsecError, fileError } from '../errors.js';
import { STDIN, expandPaths, readStdin } from '../manifest/read.js';
import { writeFileAtomic } from '../manifest/write.js';
import { writeStdout } from '../terminal/output.js';
import { warn } from '../terminal/messages.js';
import { SOPS_FORMATS, decryptDocument, parseSopsText, type SopsFormat } from '../sops/decrypt.js';
import { findIdentities } from '../sops/keys.js';
import { renderSops } from '../sops/render.js';
import { sopsStatus, type SopsStatus } from '../sops/status.js';
import { readUserText, refuseOutputOverInput } from '../user-file.js';

export const SOPS_EXTENSIONS = ['.yaml', '.yml', '.json', '.env'];

function parseSopsFormat(value: string | undefined, flag: string): SopsFormat | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase() === 'yml' ? 'yaml' : value.toLowerCase() === 'env' ? 'dotenv' : value.toLowerCase();
  if (!(SOPS_FORMATS as readonly string[]).includes(v)) {
    throw new KsecError(`unknown ${flag} "${value}"`, { hint: `use one of: ${SOPS_FORMATS.join(', ')}` });
  }
  return v as SopsFormat;
}

async function readInput(file: string): Promise<string> {
  return file === STDIN ? readStdin() : readUserText(file);
}

export interface DecryptFlags {
  outputFormat?: string;
  inputFormat?: string;
  ageKeyFile?: string[];
  write?: string;
}

export async function runDecrypt(file: string, flags: DecryptFlags): Promise<void> {
  const inputFormat = parseSopsFormat(flags.inputFormat, '--input-format');
  const outputFormat = parseSopsFormat(flags.outputFormat, '--output-format');
  if (flags.write) await refuseOutputOverInput(flags.write, [file]);
  const text = await readInput(file);
  const doc = parseSopsText(text, file === STDIN ? '<stdin>' : file, inputFormat);
  const found = await findIdentities({ keyFiles: flags.ageKeyFile });
  for (const w of found.warnings) warn(w);
  const result = decryptDocument(doc, found.identities, found.searched);
  const out = renderSops(result.branches, outputFormat ?? doc.format, doc.path);
  if (flags.write) await writeFileAtomic(flags.write, out, 0o600);
  else await writeStdout(out);
}

export interface StatusFlags {
  /** report format: text or json */
  output: string;
}

export async function runStatus(paths: string[], flags: StatusFlags): Promise<void> {
  const named = new Set<string>();
  const files: string[] = [];
  for (const p of paths) {
    let isDir = false;
    if (p !== STDIN) {
      try {
        isDir = (await stat(p)).isDirectory();
      } catch (err) {
        throw fileError(err, p);
      }
    }
    if (!isDir) named.add(p);
    files.push(...(await expandPaths([p], SOPS_EXTENSIONS)));
  }
  const reports: (SopsStatus & { file: string })[] = [];
  for (const file of files) {
    const text = await readInput(file);
    const status = sopsStatus(text, file === STDIN ? '<stdin>' : file);
    // in a directory, files that are not SOPS files (even unparsable ones) are none of this command's business
    if (!status.isSops && !named.has(file) && !text.includes('ENC[AES256_GCM,')) continue;
    if (!status.isSops && status.problems.length === 0) {
      status.problems.push({ code: 'not-sops', message: 'not a SOPS file: no sops metadata' });
    }
    reports.push({ file, ...status });
  }
  const failed = reports.some((r) => r.problems.length > 0);
  if (flags.output === 'json') {
    await writeStdout(JSON.stringify({ ok: !failed, files: reports }, null, 2) + '\n');
  } else {
    const lines: string[] = [];
    for (const r of reports) {
      if (r.problems.length === 0) {
        lines.push(`${r.file}: ok (${r.format}, fully encrypted, metadata intact)`);
        continue;
      }
      for (const p of r.problems) lines.push(`${r.file}${p.line ? `:${p.line}` : ''}: ${p.code}: ${p.message}`);
    }
    if (reports.length === 0) lines.push('no SOPS files found');
    await writeStdout(lines.join('\n') + '\n');
  }
  if (failed) process.exitCode = ExitCode.findings;
}
