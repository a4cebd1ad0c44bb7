/**
 * The ksec program: global flags, the command list and the mapping of errors
 * to one line and an exit code. Command modules register their flags here but
 * import their implementation only when they run, so `ksec seal` never loads
 * the AWS SDK or the Kubernetes client.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeOf, formatError } from '../errors.js';
import { writeStderr, writeStdoutSync } from '../terminal/output.js';
import { disableColor, style } from '../terminal/style.js';
import { findRenamedFlag } from './renamed-flags.js';
import { VERSION } from '../version.js';

export { outputPending } from '../terminal/output.js';

export { VERSION } from '../version.js';

let debug = false;

/**
 * The program with every command, or only `only` when it names one: building
 * the other commands' flags and help would cost start-up for nothing (help,
 * usage errors and unknown commands get the full program).
 */
export function buildProgram(commandModules: readonly CommandModule[], only?: string): Command {
  const program = new Command('ksec')
    .description('GitOps secrets and configuration for Kubernetes')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces and diagnostic detail on errors')
    .option('--no-color', 'disable colour (also honoured: NO_COLOR)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    .hook('preAction', (cmd) => {
      const opts = cmd.optsWithGlobals() as { debug?: boolean; color?: boolean };
      debug = Boolean(opts.debug);
      if (opts.color === false) disableColor();
    })
    .addHelpText(
      'after',
      `
Examples:
  ksec seal --cert examples/keys/demo-sealed-secrets.crt -f examples/secrets/app-secret.yaml
  ksec scan .
  ksec checksum annotate deploy/ --check

Exit codes: 0 ok, 1 findings or invalid, 2 bad input or usage, 3 cluster/AWS unreachable.`,
    );
  const selected = commandModules.filter(([name]) => name === only);
  for (const [, register] of selected.length > 0 ? selected : commandModules) register(program);
  return program;
}

/** A top-level command: its name and the function that registers its flags (cli/commands.ts lists them). */
export type CommandModule = [name: string, register: (program: Command) => void];

/** `run` for a bundle that carries one command (src/cli/bundles/). */
export function runOnly(name: string, register: CommandModule[1]): (argv: string[]) => Promise<number> {
  return (argv) => run(argv, [[name, register]]);
}

/** Runs the CLI with these commands and returns the exit code; never throws. */
export async function run(argv: string[], commandModules: readonly CommandModule[]): Promise<number> {
  debug = argv.includes('--debug');
  if (argv.includes('--no-color')) disableColor();
  // global flags take no value, so the first word that is not a flag is the command
  const program = buildProgram(commandModules, argv.find((a) => !a.startsWith('-')));
  // Subcommands were created before this point and do not inherit these settings:
  // without this, a usage error in `ksec <command>` would exit 1 through process.exit.
  forEachCommand(program, (cmd) => {
    cmd.exitOverride();
    cmd.configureOutput({
      // help and --version too: through stdout's descriptor, quiet when the reader closed early
      writeOut: writeStdoutSync,
      writeErr: writeStderr,
      outputError: (text, write) => write(`${style.red('error')}: ${text.replace(/^error: /, '')}`),
    });
  });
  try {
    if (argv.length === 0) {
      // `ksec` alone: the help on stdout, exit 0, as kubectl does (commander would write it to stderr)
      program.outputHelp();
      return ExitCode.ok;
    }
    const renamed = findRenamedFlag(argv);
    if (renamed) {
      writeStderr(`${style.red('error')}: ksec ${renamed.command}: ${renamed.flag} is no longer a flag here; use ${renamed.replacement}\n`);
      return ExitCode.input;
    }
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return ExitCode.ok;
      }
      return ExitCode.input;
    }
    writeStderr(`${style.red('error')}: ${formatError(err)}\n`);
    if (debug && err instanceof Error && err.stack) writeStderr(`${err.stack}\n`);
    if (debug && err instanceof Error && err.cause instanceof Error && err.cause.stack) {
      writeStderr(`caused by: ${err.cause.stack}\n`);
    }
    return exitCodeOf(err);
  }
}

function forEachCommand(cmd: Command, fn: (cmd: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}
