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
  /**
   * set when the file is bigger than the source's read limit: `content` is
   * empty and the scan decides (a finding, or a skip the user chose)
   */
  oversize?: number;
  /** reads a file next to this one (kustomize envs/files); undefined when unknown */
  readRelative(relative: string): Promise<string | undefined>;
}

export interface Source {
  /** number of files, when known up front (for progress) */
  total?: number;
  files: AsyncIterable<SourceFile>;
  /** for path sources: untracked paths left out because .gitignore ignores them (git would never commit them) */
  gitIgnored?: number;
  /** for path sources: the paths `files` reads, so scan workers can read them themselves */
  paths?: { base: string; list: string[]; maxFileSize?: number };
}

/**
 * The most bytes of one file the scan reads into memory (its text must fit a
 * JavaScript string). A bigger file is never passed over in silence: the
 * source yields it with `oversize` set and the scan reports it.
 */
export const MAX_READ_SIZE = 256 * 1024 * 1024;

/** The read limit of a source: the caller's, capped at MAX_READ_SIZE. */
export function readLimit(maxFileSize: number | undefined): number {
  return Math.min(maxFileSize ?? MAX_READ_SIZE, MAX_READ_SIZE);
}

/** A file bigger than the read limit: no content, its size in `oversize`. */
export function oversizeFile(path: string, size: number, from: Partial<SourceFile> = {}): SourceFile {
  return { ...from, path, content: Buffer.alloc(0), oversize: size, readRelative: async () => undefined };
}

export interface SourceOptions {
  cwd?: string;
  /**
   * read files up to this many bytes (default and cap: MAX_READ_SIZE); a
   * bigger file comes with `oversize` set instead of its content
   */
  maxFileSize?: number;
  /** `.ksecignore` rules, relative to the root of the scan (the repository root for git sources) */
  ignore?: IgnoreRules;
}
