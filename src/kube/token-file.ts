/**
 * A bearer token kept in a file that is rewritten when it rotates (kubelet-projected
 * service-account tokens): re-read when the file changes (mtime, inode or size, so an
 * atomic rename is seen too) or after the API server answered 401.
 */
import { readFileSync, statSync } from 'node:fs';

export class TokenFile {
  private token = '';
  private version = '';

  constructor(readonly file: string) {}

  read(): string {
    const st = statSync(this.file);
    const version = `${st.mtimeMs}:${st.ino}:${st.size}`;
    if (version !== this.version) {
      this.token = readFileSync(this.file, 'utf8').trim();
      this.version = version;
    }
    return this.token;
  }

  /** Forces a re-read on the next request (after a 401). */
  invalidate(): void {
    this.version = '';
  }
}
