/**
 * Reloader's alerting on reload (v1.4.14 internal/pkg/alerts): with
 * ALERT_ON_RELOAD=true every successful reload posts one message per changed
 * config to ALERT_WEBHOOK_URL, shaped for ALERT_SINK:
 *   slack  {"attachments":[{"color":"good","author_name":"Reloader","text":msg}]}
 *   teams  {"text":msg}
 *   gchat  {"text":msg}
 *   raw (and anything else)  msg without '*', as text/plain
 * ALERT_ADDITIONAL_INFO is prefixed as "<info> : <msg>". The message is
 * Reloader's, word for word, so alert rules matching it keep working; it names
 * configs, workloads and namespaces, never values. Best effort: one attempt, a
 * failure is logged (Reloader logs nothing). The URL may hold a token: logs
 * carry its origin only. ALERT_WEBHOOK_PROXY: every alert goes through that HTTP
 * proxy, as Reloader's client sends it (proxy-post.ts); its URL is never logged.
 */
import type { Logger } from './log.js';
import { SecretUrl } from './secret-url.js';
import { postThroughProxy } from './proxy-post.js';

export type AlertSink = 'slack' | 'teams' | 'gchat' | 'raw';

export interface AlertOptions {
  url: string;
  /** ALERT_SINK, lower-cased and trimmed; unknown values are 'raw', as in Reloader */
  sink: string;
  additionalInfo?: string;
  /** ALERT_WEBHOOK_PROXY, parsed (proxy-post.ts parseProxyUrl) */
  proxy?: URL;
  log: Logger;
}

const TYPES: Record<string, string> = { Secret: 'SECRET', SecretProviderClass: 'SECRETPROVIDERCLASS' };

/** Reloader's text: config type is CONFIGMAP, SECRET or SECRETPROVIDERCLASS, the workload's kind as Kubernetes names it. */
export function alertMessage(configKind: string, configName: string, namespace: string, workloadKind: string, workloadName: string, additionalInfo?: string): string {
  const type = TYPES[configKind] ?? 'CONFIGMAP';
  const msg = `Reloader detected changes in *${configName}* of type *${type}* in namespace *${namespace}*. Hence reloaded *${workloadName}* of type *${workloadKind}* in namespace *${namespace}*`;
  return additionalInfo !== undefined ? `${additionalInfo} : ${msg}` : msg;
}

/** The request Reloader sends for a sink. */
export function alertRequest(sink: string, msg: string): { contentType: string; body: string } {
  switch (sink) {
    case 'slack':
      return { contentType: 'application/json', body: JSON.stringify({ attachments: [{ color: 'good', author_name: 'Reloader', text: msg }] }) };
    case 'teams':
    case 'gchat':
      return { contentType: 'application/json', body: JSON.stringify({ text: msg }) };
    default:
      return { contentType: 'text/plain', body: msg.replaceAll('*', '') };
  }
}

export class ReloadAlerter {
  private readonly target: SecretUrl;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: AlertOptions) {
    this.target = new SecretUrl(o.url);
  }

  /** One alert per changed config (`Kind/name`, possibly with a note) of a successful reload. */
  reloaded(workloadKind: string, namespace: string, workloadName: string, changed: readonly string[]): void {
    const refs = changed.length ? changed.map((c) => c.split(' ')[0]!) : ['ConfigMap/referenced configuration'];
    for (const ref of refs) {
      const slash = ref.indexOf('/');
      const msg = alertMessage(ref.slice(0, slash), ref.slice(slash + 1), namespace, workloadKind, workloadName, this.o.additionalInfo);
      const p = this.send(msg).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async send(msg: string): Promise<void> {
    const { contentType, body } = alertRequest(this.o.sink, msg);
    try {
      if (this.o.proxy) {
        const headers = { 'content-type': contentType };
        const status = await postThroughProxy({ proxy: this.o.proxy, target: new URL(this.o.url), headers, body, timeoutMs: 30_000 });
        if (status >= 300) this.o.log.warn('reload alert refused', { to: this.target.origin, status, via: 'proxy' });
        return;
      }
      const res = await fetch(this.o.url, { method: 'POST', headers: { 'content-type': contentType }, body, redirect: 'error', signal: AbortSignal.timeout(30_000) });
      await res.body?.cancel();
      if (res.status >= 400) this.o.log.warn('reload alert refused', { to: this.target.origin, status: res.status });
    } catch (err) {
      this.o.log.warn('could not send reload alert', { to: this.target.origin, error: this.target.reason(err) });
    }
  }
}
