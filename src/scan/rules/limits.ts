/**
 * The scan's own verdicts about files it could not check. A CI guard never
 * passes a file in silence: a file it did not read is a finding, unless the
 * user left it out on purpose (`.ksecignore`, or a `--max-file-size` they
 * chose, which the summary then names).
 */
import type { RuleInfo } from '../types.js';

export const fileTooLarge: RuleInfo = {
  id: 'file-too-large',
  family: 'scan',
  severity: 'critical',
  name: 'File too large to scan',
  description:
    'A file is larger than ksec reads at once, so it was not checked for secrets; split it, or leave it out on purpose with .ksecignore or --max-file-size.',
};

/** Rules no `--rules` choice turns off: they say what the other rules could not check. */
export const SCAN_RULES: RuleInfo[] = [fileTooLarge];
