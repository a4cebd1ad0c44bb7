/** Alert and webhook URLs may hold a credential: no log line carries it, even when the URL does not parse. */
import { describe, expect, it } from 'vitest';
import { ReloadAlerter } from '../../../src/watch/alerts.js';
import { createLogger } from '../../../src/watch/log.js';
import { SecretUrl } from '../../../src/watch/secret-url.js';
import { WebhookNotifier } from '../../../src/watch/webhook.js';

const CANARY = 'DEMO-CANARY-T0KEN-7f3a';
// unparsable (port out of range, a typo), so Node's fetch names the whole URL in its error
const BAD = `https://hooks.example.invalid:99999/services/${CANARY}`;

describe('outbound URLs that hold a credential', () => {
  it('SecretUrl gives the origin and takes the URL out of an error', () => {
    const u = new SecretUrl(`https://hooks.example.invalid/services/${CANARY}`);
    expect(u.origin).toBe('https://hooks.example.invalid');
    expect(u.reason(new TypeError(`Failed to parse URL from ${u.url}`))).toBe('Failed to parse URL from https://hooks.example.invalid');
    expect(new SecretUrl(BAD).origin).toBe('(invalid URL)');
  });

  it('a reload alert to an unparsable URL logs neither the URL nor its token', async () => {
    const logs: string[] = [];
    const a = new ReloadAlerter({ url: BAD, sink: 'slack', log: createLogger('debug', (l) => logs.push(l)) });
    a.reloaded('Deployment', 'ns', 'web', ['ConfigMap/cfg']);
    await a.idle();
    expect(logs.join('\n')).toMatch(/could not send reload alert/);
    expect(logs.join('\n')).not.toContain(CANARY);
  });

  it('a webhook to an unparsable URL logs neither the URL nor its token, on every attempt', async () => {
    const logs: string[] = [];
    const w = new WebhookNotifier({ url: BAD, log: createLogger('debug', (l) => logs.push(l)), initialBackoffMs: 1 });
    w.notify('ConfigMap/cfg', 'ns');
    await w.idle();
    expect(logs.join('\n')).toMatch(/giving up/);
    expect(logs.join('\n')).not.toContain(CANARY);
  });
});
