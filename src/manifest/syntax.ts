/**
 * The syntax check: does a manifest text parse, and if not, where is the first
 * error? The answer is the one parseManifestText gives (accept, or its error
 * with the same message and position), found without building values where
 * possible: fast-yaml.ts's subset by its validator, JSON with one
 * `JSON.parse`. Anything those are unsure of is parsed by parseManifestText
 * itself, so the check never decides differently from the reader
 * (test/unit/manifest/syntax.test.ts compares them).
 */
import { isKsecError, type KsecError } from '../errors.js';
import { validFastYaml } from './fast-yaml.js';
import { detectFormat, parseManifestText, type ManifestFormat } from './read.js';

/** The error parseManifestText would throw for this text, or undefined when it parses. */
export function manifestSyntaxError(text: string, path: string, format: ManifestFormat = detectFormat(text, path)): KsecError | undefined {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (format === 'yaml' ? validFastYaml(clean) : isJsonManifest(clean)) return undefined;
  try {
    parseManifestText(text, path, format);
    return undefined;
  } catch (err) {
    if (isKsecError(err)) return err;
    throw err;
  }
}

/** One JSON object or array: what the reader's JSON stream splitter accepts as a single value. */
function isJsonManifest(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false; // maybe a stream of values, or broken: the reader decides
  }
  return typeof value === 'object' && value !== null;
}
