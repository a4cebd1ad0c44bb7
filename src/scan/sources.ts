/**
 * The scan's sources, one module each under sources/: paths (files and
 * directories), `--staged` (the Git index), `--since REV` (a range of
 * commits) and `--history` (every blob ever committed).
 */
export { historySource } from './sources/history.js';
export { pathSource } from './sources/paths.js';
export { rangeSource } from './sources/range.js';
export type { Source, SourceFile, SourceOptions } from './sources/source.js';
export { stagedSource } from './sources/staged.js';
