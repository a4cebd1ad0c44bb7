/** What the scan reads: a source of files, each with its bytes and where it came from. */
import type { KsecError } from '../../errors.js';
import type { IgnoreRules } from '../ignore-rules.js';
import type { Provenance } from '../types.js';

export interface SourceFile extends Provenance {
  /** display path (relative to the directory named, or to the repository root for git sources) */
  path: string;
  content: Buffer;
  /** set when the file could not be read: the scan reports it and goes on */
  unreadable?: KsecError;
  /** reads a file next to this one (kustomize envs/files); undefined when unknown */
  readRelative(relative: string): Promise<string | undefined>;
}

export interface Source {
  /** number of files, when known up front (for progress) */
  total?: number;
  files: AsyncIterable<SourceFile>;
  /** for path sources: the paths `files` reads, so scan workers can read them themselves */
  paths?: { base: string; list: string[]; maxFileSize?: number };
}

export interface SourceOptions {
  cwd?: string;
  /** skip files larger than this many bytes */
  maxFileSize?: number;
  /** `.ksecignore` rules, relative to the root of the scan (the repository root for git sources) */
  ignore?: IgnoreRules;
}
