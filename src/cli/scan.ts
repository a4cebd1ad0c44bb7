/**
 * `ksec scan`: the CI guard. Flags and help only; the command
 * (commands/scan.ts) is imported when it runs.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ScanCommandOptions } from '../commands/scan.js';
import { implementation } from './implementations.js';

type ScanFlags = Omit<ScanCommandOptions, 'version'>;

const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit'];

/** `-o` is the report format (kubectl's meaning); a file name there was the old spelling of `-w`. */
function reportFormat(value: string): string {
  if (REPORT_FORMATS.includes(value)) return value;
  const hint = /[./\\]/.test(value) ? `; -o is the report format now, write the report to a file with -w ${value}` : '';
  throw new InvalidArgumentError(`Allowed choices are ${REPORT_FORMATS.join(', ')}${hint}.`);
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('CI guard: fail when a plaintext secret is about to reach Git (Secrets, kustomize, SOPS, SealedSecrets, ESO, keys, tokens)')
    .argument('[paths...]', 'files and directories to scan (directories honour .gitignore)', [])
    .option('--staged', 'scan what the next commit holds (the Git index): the pre-commit hook')
    .option('--since <rev>', 'scan every blob the commits in REV..HEAD added or changed (a pull request)')
    .option('--history', 'scan every blob ever committed on any ref, each once')
    .addOption(new Option('-o, --format <format>', 'report format: text, json, sarif or junit').argParser(reportFormat).default('text'))
    .option('-w, --write <file>', 'write the report to FILE (atomically) instead of stdout')
    .option('--sarif-file <file>', 'also write a SARIF 2.1.0 report to FILE, whatever -o is (a log for people, SARIF for code scanning)')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that makes the exit code 1').choices(['low', 'medium', 'high', 'critical']).default('low'))
    .option('--rules <list>', 'rule families or ids, comma-separated: secrets (default), antipatterns, all, k8s-secret, kustomize, sops, sealed-secret, eso, container-env, credentials, or a rule id')
    .option('--baseline <file>', 'accept the findings whose fingerprints FILE lists (a previous --format json report or --write-baseline output)')
    .option('--write-baseline <file>', 'write the fingerprints of the current findings to FILE and exit 0')
    .option('--cert <file>', 'sealing certificate: SealedSecret values must match its key size')
    .option('--key <file>', 'controller private key (PEM or key backup; repeatable): every SealedSecret value must decrypt with one', (file: string, all: string[] = []) => [...all, file])
    .option('--max-file-size <bytes>', 'leave out files larger than this, on purpose (the summary counts them); default: every file is scanned, and one too large to read (over 256 MiB) is a finding')
    .option('--syntax-check', 'also report manifests that do not parse among those no rule needs to read (the default with --staged and --since: the files being changed; a tree or --history only with this flag)')
    .option('--no-syntax-check', 'never report those (a malformed file that could hold a secret is an error either way)')
    .option('--list-rules', 'print every rule with its severity and fix, then exit')
    .addHelpText(
      'after',
      `
Examples:
  ksec scan .                                   # the work tree, honouring .gitignore
  ksec scan --staged                            # pre-commit: what is about to be committed
  ksec scan --since origin/main -o sarif -w ksec.sarif        # a pull request, for GitHub code scanning
  ksec scan . --sarif-file ksec.sarif           # text on stdout, SARIF for code scanning
  ksec scan --history --fail-on high            # every blob ever committed
  ksec scan deploy/ --syntax-check              # also warn about manifests that do not parse
  ksec scan deploy/ --rules all                 # also the guide's anti-patterns (HPA replicas, resources, PDB)
  ksec scan . --key sealed-secrets.key          # SealedSecrets must actually decrypt
  ksec scan . --write-baseline .ksec-baseline.json && ksec scan . --baseline .ksec-baseline.json

Allow a finding in place with a comment on its line or the line above:  # ksec:allow k8s-secret-plaintext
Skip paths with a .ksecignore file (gitignore syntax) at the scan root.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 an unreadable file or a malformed one that could hold a secret
(the scan still finishes; other malformed manifests are reported as warnings).`,
    )
    .action(async (paths: string[], flags: ScanFlags, command: Command) => {
      const { runScan } = await implementation('scan');
      process.exitCode = await runScan(paths, { ...flags, version: command.parent?.version() ?? '' });
    });
}
