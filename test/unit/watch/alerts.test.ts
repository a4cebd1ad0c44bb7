import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { alertMessage, alertRequest, ReloadAlerter } from '../../../src/watch/alerts.js';
import { createLogger } from '../../../src/watch/log.js';

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe("Reloader's reload alerts", () => {
  const msg = alertMessage('ConfigMap', 'cfg', 'ns', 'Deployment', 'web');
  it("Reloader's message, word for word; ALERT_ADDITIONAL_INFO as a prefix", () => {
    expect(msg).toBe('Reloader detected changes in *cfg* of type *CONFIGMAP* in namespace *ns*. Hence reloaded *web* of type *Deployment* in namespace *ns*');
    expect(alertMessage('Secret', 's', 'n', 'StatefulSet', 'db', 'cluster-a')).toBe('cluster-a : Reloader detected changes in *s* of type *SECRET* in namespace *n*. Hence reloaded *db* of type *StatefulSet* in namespace *n*');
  });
  it('the payload of each sink', () => {
    expect(alertRequest('slack', msg)).toEqual({ contentType: 'application/json', body: JSON.stringify({ attachments: [{ color: 'good', author_name: 'Reloader', text: msg }] }) });
    expect(alertRequest('teams', msg)).toEqual({ contentType: 'application/json', body: JSON.stringify({ text: msg }) });
    expect(alertRequest('gchat', msg)).toEqual({ contentType: 'application/json', body: JSON.stringify({ text: msg }) });
    for (const sink of ['raw', '', 'other']) expect(alertRequest(sink, msg)).toEqual({ contentType: 'text/plain', body: msg.replaceAll('*', '') });
  });
  it('sends one alert per changed config to the receiver, logging the origin only', async () => {
    const got: { type?: string; body: string }[] = [];
    const s = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ type: req.headers['content-type'], body });
        res.writeHead(200).end();
      });
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const logs: string[] = [];
    const a = new ReloadAlerter({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/T0KEN`, sink: 'gchat', log: createLogger('debug', (l) => logs.push(l)) });
    a.reloaded('Deployment', 'ns', 'web', ['ConfigMap/cfg', 'Secret/s deleted']);
    await a.idle();
    expect(got.map((g) => JSON.parse(g.body).text)).toEqual([msg, alertMessage('Secret', 's', 'ns', 'Deployment', 'web')]);
    expect(got[0]!.type).toBe('application/json');
    expect(logs.join('')).not.toContain('T0KEN');
  });
});
