/** What a rule family looks like to the scan engine. */
import type { KubeObject } from '../../manifest/objects.js';
import type { ValidateOptions } from '../../seal/validate-structure.js';
import type { RuleFamily, RuleInfo } from '../types.js';

export type KeyPath = (string | number)[];

/** A rule's verdict before it has a position and a fingerprint. */
export interface Hit {
  rule: RuleInfo;
  /** key path inside the object */
  path: KeyPath;
  /** names keys and objects, never values */
  message: string;
}

export interface TextHit {
  rule: RuleInfo;
  /** offset of the match in the file's text */
  offset: number;
  message: string;
}

export interface ObjectContext {
  /** display path of the file */
  file: string;
  /**
   * Text of a file next to this one (kustomize `envs`/`files`); undefined
   * when it is not there or cannot be known (history scans).
   */
  readRelative(relative: string): Promise<string | undefined>;
  sealed: SealedOptions;
  /** the file carries sops metadata: its `ENC[...]` values are encrypted, anything else it delivers is not */
  sops?: boolean;
}

/** the sealing certificate and/or controller private keys to validate SealedSecrets against */
export type SealedOptions = ValidateOptions;

/**
 * Literals of which every file a family could fire on (or, for file rules,
 * claim) holds one: a file with none of any family's keywords is skipped by
 * the scan's prefilter (keywords.ts) without being decoded. mayApply and
 * check may be stricter, never looser. For object families this holds of
 * the files that are not spelledIndirectly: the scan reads those into
 * objects for every object family, whatever their keywords.
 */
export type Keywords = readonly string[];

/**
 * Whether a file's bytes hold one of the two ways YAML and JSON spell a word
 * without its letters: an escape in a double-quoted scalar or a JSON string
 * (`"\x53ecret"`, `"\u0053ecret"`), or a tag (go-yaml reads
 * `!!binary U2VjcmV0` as the string "Secret"). Without a `\` or a `!`, every
 * key and value the cluster reads stands in the text letter for letter
 * (anchors and aliases copy text that is there too), so keywords decide.
 */
export function spelledIndirectly(bytes: Buffer): boolean {
  return bytes.includes(0x5c) || bytes.includes(0x21);
}

/** Whether a literal occurs in the file's text: for the families' keywords the prefilter knows already. */
export type Has = (literal: string) => boolean;

/** `Has` by searching the text (a scan without the prefilter, tests) */
export function searchIn(text: string): Has {
  return (literal) => text.includes(literal);
}

export interface ObjectRules {
  family: RuleFamily;
  rules: RuleInfo[];
  keywords: Keywords;
  /** cheap test on the raw text: could this file hold an object this family checks? */
  mayApply(text: string, path: string, has?: Has): boolean;
  check(object: KubeObject, context: ObjectContext): Hit[] | Promise<Hit[]>;
}

export interface TextRules {
  family: RuleFamily;
  rules: RuleInfo[];
  keywords: Keywords;
  check(text: string, has?: Has): TextHit[];
}

/** A rule that reads the whole file (SOPS: the metadata decides about every value). */
export interface FileRules {
  family: RuleFamily;
  rules: RuleInfo[];
  keywords: Keywords;
  mayApply(text: string, path: string, has?: Has): boolean;
  check(text: string, path: string): Promise<FileHit[]>;
}

export interface FileHit {
  rule: RuleInfo;
  line?: number;
  column?: number;
  /** key path, for allow comments and fingerprints */
  key?: string;
  message: string;
}

/** A rule over every object of the scan at once (HPA -> Deployment, PDB -> Deployment). */
export interface GlobalRules {
  family: RuleFamily;
  rules: RuleInfo[];
  check(objects: readonly ScannedObject[]): { target: ScannedObject; hit: Hit }[];
}

export interface ScannedObject {
  object: KubeObject;
  /** opaque handle the engine uses to place hits */
  id: number;
}
