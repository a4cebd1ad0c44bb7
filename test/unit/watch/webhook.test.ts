import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/watch/log.js';
import { MAX_ATTEMPTS, WEBHOOK_BODY, WebhookNotifier } from '../../../src/watch/webhook.js';

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function receiver(status = 200): Promise<{ url: string; got: { method?: string; type?: string; body: string }[] }> {
  const got: { method?: string; type?: string; body: string }[] = [];
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ method: req.method, type: req.headers['content-type'], body });
      res.writeHead(status).end('ok');
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook/SECRET-TOKEN`, got };
}

describe('WebhookNotifier (Reloader --webhook-url)', () => {
  it("POSTs Reloader's fixed JSON body once per change; logs the origin, never the path", async () => {
    const r = await receiver();
    const logs: string[] = [];
    const n = new WebhookNotifier({ url: r.url, log: createLogger('debug', (l) => logs.push(l)) });
    n.notify('ConfigMap/a', 'ns');
    n.notify('Secret/b', 'ns');
    await n.idle();
    expect(r.got).toEqual([
      { method: 'POST', type: 'application/json', body: WEBHOOK_BODY },
      { method: 'POST', type: 'application/json', body: WEBHOOK_BODY },
    ]);
    expect(JSON.parse(WEBHOOK_BODY)).toEqual({ webhook: 'update successful' });
    expect(logs.join('')).toContain('sent webhook instead of reloading');
    expect(logs.join('')).not.toContain('SECRET-TOKEN');
  });

  it('any HTTP answer counts as sent (as gorequest); a transport error is retried, then given up', async () => {
    const r = await receiver(500);
    const n = new WebhookNotifier({ url: r.url, log: createLogger('error', () => {}) });
    n.notify('ConfigMap/a', 'ns');
    await n.idle();
    expect(r.got).toHaveLength(1);
    const closed = await receiver();
    const url = closed.url;
    servers.pop()!.close();
    const logs: string[] = [];
    const down = new WebhookNotifier({ url, log: createLogger('debug', (l) => logs.push(l)), initialBackoffMs: 1 });
    down.notify('ConfigMap/a', 'ns');
    await down.idle();
    expect(logs.filter((l) => l.includes('retrying'))).toHaveLength(MAX_ATTEMPTS - 1);
    expect(logs.join('')).toContain('could not send webhook; giving up');
    expect(logs.join('')).not.toContain('SECRET-TOKEN');
  });
});
