/**
 * Which values a SOPS file encrypts, decided exactly as sops's
 * shouldBeEncrypted: by the map keys on the value's path (suffixes and
 * regexes) and by the comments above it (comment regexes). At most one of
 * the key rules is set; with none, `_unencrypted` is the unencrypted suffix.
 */
import type { WalkContext } from './tree.js';

export interface EncryptionRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  unencryptedCommentRegex?: string;
  encryptedCommentRegex?: string;
}

export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';

/** Go RE2 patterns as JS RegExps; a leading `(?i)`/`(?s)`/`(?m)` group becomes flags. */
export function goRegExp(pattern: string): RegExp {
  let flags = 'u';
  const m = /^\(\?([ims]+)\)/.exec(pattern);
  let body = pattern;
  if (m) {
    flags += m[1]!.replace(/[^ims]/g, '');
    body = pattern.slice(m[0].length);
  }
  try {
    return new RegExp(body, flags);
  } catch {
    return new RegExp(body, flags.replace('u', ''));
  }
}

export interface CompiledRules {
  shouldBeEncrypted(ctx: WalkContext, isComment: boolean): boolean;
}

export function compileRules(rules: EncryptionRules): CompiledRules {
  const ur = rules.unencryptedRegex ? goRegExp(rules.unencryptedRegex) : undefined;
  const er = rules.encryptedRegex ? goRegExp(rules.encryptedRegex) : undefined;
  const ucr = rules.unencryptedCommentRegex ? goRegExp(rules.unencryptedCommentRegex) : undefined;
  const ecr = rules.encryptedCommentRegex ? goRegExp(rules.encryptedCommentRegex) : undefined;
  const us = rules.unencryptedSuffix;
  const es = rules.encryptedSuffix;
  return {
    shouldBeEncrypted({ path, comments }, isComment) {
      let encrypted = true;
      if (us) {
        if (path.some((p) => p.endsWith(us))) encrypted = false;
      }
      if (es) {
        encrypted = path.some((p) => p.endsWith(es));
      }
      if (ur) {
        if (path.some((p) => ur.test(p))) encrypted = false;
      }
      if (er) {
        encrypted = path.some((p) => er.test(p));
      }
      if (ucr) {
        if (comments.some((cs) => cs.some((c) => ucr.test(c)))) encrypted = false;
      }
      if (ecr) {
        encrypted = false;
        const last = comments.length - 1;
        outer: for (let i = 0; i < comments.length; i++) {
          const cs = comments[i]!;
          for (let j = 0; j < cs.length; j++) {
            // the matching comment line itself stays in clear: skip the newest comment when judging a comment
            if (isComment && i === last && j === cs.length - 1) continue;
            if (ecr.test(cs[j]!)) {
              encrypted = true;
              break outer;
            }
          }
        }
      }
      return encrypted;
    },
  };
}
