/**
 * `ksec doctor`: flags -> options -> the checks (src/doctor/) -> a report grouped by area (colour
 * on a terminal) or JSON. Exit 0 when no check fails (warnings allowed), 1 when one fails, 3 when
 * the cluster cannot be reached, 2 for bad flags.
 */
import { KsecError, ExitCode } from '../errors.js';
import { AREAS, runDoctorChecks, type DoctorArea, type DoctorCheck } from '../doctor/index.js';
import { loadKubeClient } from '../kube/config.js';
import { parseDuration } from '../watch/duration.js';
import { writeStdout } from '../terminal/output.js';
import { style } from '../terminal/style.js';
import { clusterConnection, type ControllerFlags } from './shared-flags.js';

export interface DoctorFlags extends ControllerFlags {
  output: string;
  area?: string;
  keyRenewPeriod: string;
  leaseName: string;
  watcherUrl?: string;
  namespace?: string;
}

export async function runDoctor(flags: DoctorFlags): Promise<void> {
  if (flags.output !== 'text' && flags.output !== 'json') throw new KsecError(`-o ${flags.output}: not a report format`, { hint: 'use -o text or -o json' });
  const keyRenewPeriodMs = flags.keyRenewPeriod === '0' ? 0 : parseDuration(flags.keyRenewPeriod);
  if (keyRenewPeriodMs === undefined) throw new KsecError(`--key-renew-period ${flags.keyRenewPeriod}: not a duration`, { hint: 'e.g. 720h (the controller\'s default), or 0 when renewal is off' });
  const areas = flags.area?.split(',').map((a) => a.trim()) as DoctorArea[] | undefined;
  for (const a of areas ?? []) if (!AREAS.includes(a)) throw new KsecError(`--area ${a}: unknown area`, { hint: `use ${AREAS.join(', ')}` });
  const client = await loadKubeClient({ ...clusterConnection(flags), userAgent: 'ksec-doctor' });
  const checks = await runDoctorChecks(client, {
    controllerName: flags.controllerName ?? 'sealed-secrets-controller',
    controllerNamespace: flags.controllerNamespace ?? 'kube-system',
    keyRenewPeriodMs,
    leaseName: flags.leaseName,
    ...(flags.watcherUrl ? { watcherUrl: flags.watcherUrl } : {}),
    ...(areas ? { areas } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
  });
  await writeStdout(flags.output === 'json' ? JSON.stringify(checks, null, 2) + '\n' : renderText(checks));
  process.exitCode = checks.some((c) => c.status === 'fail') ? ExitCode.findings : ExitCode.ok;
}

const MARK = { ok: () => style.green('ok  '), warn: () => style.yellow('warn'), fail: () => style.red('fail') } as const;

/** One block per area: `status  check  object: reason` lines, hints indented under them; a count at the end. */
export function renderText(checks: readonly DoctorCheck[]): string {
  const lines: string[] = [];
  for (const area of AREAS) {
    const mine = checks.filter((c) => c.area === area);
    if (mine.length === 0) continue;
    lines.push(style.bold(area));
    for (const c of mine) {
      lines.push(`  ${MARK[c.status]()}  ${c.check}${c.object ? `  ${c.object}` : ''}: ${c.reason}`);
      if (c.hint && c.status !== 'ok') lines.push(`        hint: ${c.hint}`);
    }
    lines.push('');
  }
  const count = (s: DoctorCheck['status']) => checks.filter((c) => c.status === s).length;
  lines.push(`${count('ok')} ok, ${count('warn')} warn, ${count('fail')} fail`);
  return lines.join('\n') + '\n';
}
