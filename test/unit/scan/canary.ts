/** Every demo secret in the scan fixtures carries CANARY; outputs must carry none, in clear or in base64. */
import { expect } from 'vitest';

export function assertNoSecrets(output: string): void {
  expect(output).not.toMatch(/canary/i);
  for (const token of output.match(/[A-Za-z0-9+/]{12,}={0,2}/g) ?? []) {
    for (let skip = 0; skip < 4; skip++) {
      expect(Buffer.from(token.slice(skip), 'base64').toString('latin1')).not.toMatch(/CANARY/);
    }
  }
  for (const literal of ['ghp_', 'AKIACANARY', 'xoxb-', 'AIzaSy', 'MIIEvQIBADAN', 'sk_live_', 'npm_CANARY', 'glpat-', 'SG.CANARY', 'hooks.slack.com']) expect(output).not.toContain(literal);
}
