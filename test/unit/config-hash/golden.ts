/** Golden-file helpers: `npx tsx test/unit/config-hash/golden.ts` rewrites the expected outputs (review the diff!). */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { annotateFiles } from '../../../src/config-hash/annotate.js';
import { parseManifestText } from '../../../src/manifest/read.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../../fixtures/checksum/golden/', import.meta.url));

export function goldenCases(): { name: string; input: string; output: string }[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.includes('.in.'))
    .sort()
    .map((f) => ({ name: f.replace('.in.', '.'), input: GOLDEN_DIR + f, output: GOLDEN_DIR + f.replace('.in.', '.out.') }));
}

export function annotateText(text: string, path: string): string {
  const file = parseManifestText(text, path);
  return annotateFiles([file]).outputs.get(file) ?? text;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const c of goldenCases()) writeFileSync(c.output, annotateText(readFileSync(c.input, 'utf8'), c.input));
}
