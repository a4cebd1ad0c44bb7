/**
 * Reloader's --webhook-url: instead of reloading, every change of a watched
 * ConfigMap or Secret (content changed; created / deleted only with
 * --reload-on-create / --reload-on-delete) is announced by one POST of
 * Reloader's fixed body `{"webhook":"update successful"}` (v1.4.14's
 * handler/upgrade.go sendWebhook, JSON content type), whether or not a
 * workload uses the config. A failure is retried with backoff (at most
 * MAX_ATTEMPTS). The URL may hold a credential: logs carry its origin only.
 */
import type { Logger } from './log.js';
import { SecretUrl } from './secret-url.js';
import { backoffDelay, sleep } from './backoff.js';

export const WEBHOOK_BODY = '{"webhook":"update successful"}';
export const MAX_ATTEMPTS = 5;

export interface WebhookOptions {
  url: string;
  log: Logger;
  /** tests shorten the backoff */
  initialBackoffMs?: number;
}

export class WebhookNotifier {
  private readonly target: SecretUrl;
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly o: WebhookOptions) {
    this.target = new SecretUrl(o.url);
  }

  /** Announces one config change (`Kind/name` in `namespace`); never throws. */
  notify(change: string, namespace: string): void {
    const p = this.send(change, namespace).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when every notification sent so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async send(change: string, namespace: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let error: string | undefined;
      try {
        const res = await fetch(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: WEBHOOK_BODY,
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (err) {
        error = this.target.reason(err);
      }
      // Reloader counts any answer as sent (gorequest reports transport errors only)
      if (status !== 0) {
        this.o.log.info('sent webhook instead of reloading', { change, namespace, to: this.target.origin, status });
        return;
      }
      if (attempt >= MAX_ATTEMPTS) {
        this.o.log.error('could not send webhook; giving up', { change, namespace, to: this.target.origin, error, attempts: attempt });
        return;
      }
      const retryInMs = backoffDelay(attempt, { initialMs: this.o.initialBackoffMs ?? 1000, maxMs: 30_000 });
      this.o.log.warn('could not send webhook, retrying', { change, namespace, to: this.target.origin, error, retryInMs });
      await sleep(retryInMs);
    }
  }
}
