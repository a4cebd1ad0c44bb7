/** `ksec checksum` and `ksec checksum annotate`: flags in; read the manifests, hash or stamp, write the result and set the exit code. */
import { stat } from 'node:fs/promises';
import { ExitCode, KsecError } from '../errors.js';
import { objectRef } from '../manifest/objects.js';
import { STDIN, objectsOf, readManifestFiles, type ManifestFile } from '../manifest/read.js';
import { writeFilesAtomic } from '../manifest/write.js';
import { writeStdout } from '../terminal/output.js';
import { note, noteSkipped, progress, warn } from '../terminal/messages.js';
import { applyStamps, describeStale, planStamps } from '../config-hash/annotate.js';
import { configHash } from '../config-hash/ksec-hash.js';
import { hashableKind } from '../config-hash/kinds.js';
import { kustomizeHash } from '../config-hash/kustomize.js';
import { reloaderHash, type ReloaderDigest } from '../config-hash/reloader.js';

export interface ChecksumFlags {
  algorithm?: string;
  reloaderDigest?: string;
  output?: string;
  namespace?: string;
}

export interface ChecksumLine {
  kind: string;
  namespace: string | null;
  name: string;
  hash: string;
}

const ALGORITHMS = ['ksec', 'reloader', 'kustomize'] as const;

export async function runList(inputs: string[], flags: ChecksumFlags): Promise<void> {
  const algorithm = choose(flags.algorithm ?? 'ksec', ALGORITHMS, '--algorithm');
  const digest = choose(flags.reloaderDigest ?? 'sha1', ['sha1', 'sha512-256'] as const, '--reloader-digest') as ReloaderDigest;
  const output = choose(flags.output ?? 'text', ['text', 'json'] as const, '--output');
  checkStdinUse(inputs);
  const skipped: string[] = [];
  const objects = objectsOf(await readManifestFiles(inputs, { skipped }));
  noteSkipped(skipped);
  const lines: ChecksumLine[] = [];
  for (const entry of objects) {
    const obj = entry.object;
    const kind = hashableKind(obj);
    if (!kind) {
      if (obj.kind === 'ConfigMap' || obj.kind === 'Secret') {
        throw new KsecError(`apiVersion ${String(obj.apiVersion)} is not a core ${obj.kind}`, {
          file: entry.file.path,
          object: objectRef(obj),
          hint: 'ConfigMaps and Secrets are apiVersion: v1',
        });
      }
      continue;
    }
    if (algorithm !== 'ksec' && kind !== 'ConfigMap' && kind !== 'Secret') continue;
    let hash: string;
    try {
      hash = algorithm === 'ksec' ? configHash(obj) : algorithm === 'reloader' ? reloaderHash(obj, { digest }) : kustomizeHash(obj);
    } catch (err) {
      throw err instanceof KsecError ? err.within({ file: entry.file.path }) : err;
    }
    lines.push({ kind: obj.kind!, namespace: obj.metadata?.namespace ?? flags.namespace ?? null, name: obj.metadata?.name ?? '', hash });
  }
  if (lines.length === 0) {
    throw new KsecError('no ConfigMap or Secret in the inputs', { hint: 'name the files or directories that hold them' });
  }
  if (output === 'json') await writeStdout(`${JSON.stringify(lines, null, 2)}\n`);
  else await writeStdout(lines.map((l) => `${[l.kind, l.namespace, l.name].filter((p) => p !== null).join('/')} ${l.hash}\n`).join(''));
}

export interface AnnotateFlags {
  check?: boolean;
  strict?: boolean;
  namespace?: string;
}

export async function runAnnotate(inputs: string[], flags: AnnotateFlags): Promise<void> {
  checkStdinUse(inputs);
  const skipped: string[] = [];
  const files = await readManifestFiles(inputs, { skipped });
  noteSkipped(skipped);
  const objects = objectsOf(files);
  const plan = planStamps(objects, flags.namespace === undefined ? {} : { namespace: flags.namespace });
  const missing = plan.stamps.flatMap((s) => s.missing.map((m) => `${s.ref}: references ${m.kind}/${m.name}, which is not in the inputs`));
  if (flags.strict && missing.length > 0) {
    throw new KsecError(missing[0]!, {
      file: plan.stamps.find((s) => s.missing.length > 0)!.workload.file.path,
      hint: `${missing.length > 1 ? `${missing.length - 1} more; ` : ''}include it in the inputs, mark the reference optional: true, or drop --strict`,
    });
  }
  for (const w of plan.warnings) warn(w);

  if (flags.check) {
    const stale = plan.stamps.filter((s) => s.status !== 'ok');
    if (stale.length > 0) {
      await writeStdout(stale.map((s) => `${describeStale(s)}\n`).join(''));
      process.exitCode = ExitCode.findings;
    } else {
      note(`${plan.stamps.length} workload(s) up to date`);
    }
    return;
  }

  const bar = progress('stamping', plan.stamps.length);
  const outputs = applyStamps(plan.stamps);
  bar.done();
  // only the stamped lines change: a byte order mark and the file's mode stay
  const withBom = (file: ManifestFile, text: string) => (file.bom ? `\uFEFF${text}` : text);
  const fromStdin = files.find((f) => f.path === STDIN);
  if (fromStdin) await writeStdout(withBom(fromStdin, outputs.get(fromStdin) ?? fromStdin.text));
  const edited = [...outputs].filter(([file]) => file.path !== STDIN);
  const modes = await Promise.all(edited.map(([file]) => stat(file.path).then((s) => s.mode & 0o777, () => undefined)));
  const toWrite = edited.map(([file, content], i) => ({ path: file.path, content: withBom(file, content), mode: modes[i] }));
  await writeFilesAtomic(toWrite);
  const changed = plan.stamps.filter((s) => s.status !== 'ok').length;
  note(`stamped ${changed} workload(s)${toWrite.length ? ` in ${toWrite.length} file(s)` : ''}; ${plan.stamps.length - changed} already up to date`);
}

function choose<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const v = value.toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    throw new KsecError(`unknown ${flag} "${value}"`, { hint: `use one of: ${allowed.join(', ')}` });
  }
  return v as T;
}

function checkStdinUse(inputs: string[]): void {
  if (inputs.filter((i) => i === STDIN).length > 1) throw new KsecError('stdin (-) named twice', { hint: 'name - once' });
  if (inputs.includes(STDIN) && process.stdin.isTTY) {
    throw new KsecError('no input: stdin is a terminal', { hint: 'name files or directories, or pipe manifests in, e.g. helm template . | ksec checksum annotate -' });
  }
}
