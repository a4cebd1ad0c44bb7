/**
 * Sealed output as text and files, in kubeseal's layout (layout.ts):
 *
 *   renderForTarget  every source's SealedSecrets for one target, in input order
 *   oneFilePerCluster  -w PATH: all of them in one file per target, `{cluster}` in PATH replaced by its name
 *   oneFilePerInput  `<base>.sealed.<ext>` beside each input (`<base>.<cluster>.sealed.<ext>` for several
 *                    targets), or under an output directory (`DIR[/<cluster>]/<path below the directory
 *                    argument>/<base>.sealed.<ext>`)
 *
 * Sources are rendered one at a time, so the pool keeps sealing the next ones meanwhile.
 */
import { basename, dirname, extname, join, relative } from 'node:path';
import { KsecError } from '../errors.js';
import type { SealedSecret } from '../manifest/objects.js';
import type { ManifestFormat } from '../manifest/read.js';
import type { FileToWrite } from '../manifest/write.js';
import { renderSealedSecrets } from './layout.js';
import type { SecretSource } from './read-secrets.js';
import type { Target } from './targets.js';

/** The SealedSecrets of source `source` for target `target` (a Sealing from seal-secrets.ts). */
export interface SealedSources {
  sealed(target: number, source: number): Promise<SealedSecret[]>;
}

export async function renderForTarget(sealing: SealedSources, target: number, sourceCount: number, format: ManifestFormat): Promise<string> {
  let text = '';
  for (let s = 0; s < sourceCount; s++) text += renderSealedSecrets(await sealing.sealed(target, s), format);
  return text;
}

export async function oneFilePerCluster(
  sealing: SealedSources,
  targets: Target[],
  sourceCount: number,
  pathTemplate: string,
  format: ManifestFormat,
): Promise<FileToWrite[]> {
  const files: FileToWrite[] = [];
  for (let t = 0; t < targets.length; t++) {
    // -w files are 0600, the mode kubeseal writes them with
    files.push({ path: pathTemplate.replaceAll('{cluster}', targets[t]!.cluster), content: await renderForTarget(sealing, t, sourceCount, format), mode: 0o600 });
  }
  return files;
}

/** Throws before anything is rendered when two inputs would be sealed to the same file. */
export async function oneFilePerInput(
  sealing: SealedSources,
  sources: SecretSource[],
  targets: Target[],
  format: ManifestFormat,
  outputDir?: string,
): Promise<FileToWrite[]> {
  const several = targets.length > 1;
  const paths = targets.map((target) => sources.map((source) => outputPath(source, target, several, format, outputDir)));
  const seen = new Set<string>();
  for (const path of paths.flat()) {
    if (seen.has(path)) throw new KsecError('two inputs would be sealed to the same file', { file: path, hint: 'rename one input, or seal them separately' });
    seen.add(path);
  }
  const files: FileToWrite[] = [];
  for (let t = 0; t < targets.length; t++) {
    for (let s = 0; s < sources.length; s++) files.push({ path: paths[t]![s]!, content: renderSealedSecrets(await sealing.sealed(t, s), format) });
  }
  return files;
}

function outputPath(source: SecretSource, target: Target, several: boolean, format: ManifestFormat, outputDir?: string): string {
  const base = basename(source.file, extname(source.file));
  const ext = format === 'json' ? 'json' : 'yaml';
  if (outputDir) {
    const rel = source.root ? dirname(relative(source.root, source.file)) : '.';
    return join(outputDir, several ? target.cluster : '', rel, `${base}.sealed.${ext}`);
  }
  return join(dirname(source.file), several ? `${base}.${target.cluster}.sealed.${ext}` : `${base}.sealed.${ext}`);
}
