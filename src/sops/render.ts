/** Prints a decrypted tree the way `sops decrypt` does, in any of the three formats. */
import { KsecError } from '../errors.js';
import type { SopsFormat } from './decrypt.js';
import { emitDotenvTree } from './dotenv.js';
import { emitJsonTree } from './json.js';
import type { SopsMap } from './tree.js';
import { emitYamlTree } from './yaml-emit.js';

export function renderSops(branches: SopsMap[], format: SopsFormat, file?: string): string {
  const first = branches[0] ?? { kind: 'map', items: [] };
  switch (format) {
    case 'json':
      return emitJsonTree(first) + '\n';
    case 'dotenv':
      return emitDotenvTree(first, file);
    case 'yaml':
      return emitYamlTree(branches);
    default:
      throw new KsecError(`unknown format "${String(format)}"`, { hint: 'use yaml, json or dotenv' });
  }
}
