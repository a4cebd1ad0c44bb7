/**
 * An outbound URL that may hold a credential (a Slack or Teams webhook's path is its token):
 * what may be logged about it is its origin, and a failure's reason with the URL taken out (Node's
 * fetch puts an unparsable URL, whole, into its error message).
 */
export class SecretUrl {
  /** `scheme://host:port`, or `(invalid URL)` */
  readonly origin: string;

  constructor(readonly url: string) {
    let origin = '(invalid URL)';
    try {
      origin = new URL(url).origin;
    } catch {
      /* the first request fails and says so */
    }
    this.origin = origin;
  }

  /** A request error's reason, safe to log: the URL replaced by its origin. */
  reason(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    return this.url ? message.split(this.url).join(this.origin) : message;
  }
}
