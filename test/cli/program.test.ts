import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { commandModules } from '../../src/cli/commands.js';
import { runKsec } from '../helpers/run-ksec.js';

const ALL = commandModules.map(([name]) => name);

describe('the program registers only the command being run', () => {
  it('one command when argv names one, every command otherwise', () => {
    expect(buildProgram(commandModules, 'seal').commands.map((c) => c.name())).toEqual(['seal']);
    expect(buildProgram(commandModules, 'checksum').commands.map((c) => c.name())).toEqual(['checksum']);
    expect(buildProgram(commandModules).commands.map((c) => c.name())).toEqual(ALL);
    expect(buildProgram(commandModules, 'sael').commands.map((c) => c.name())).toEqual(ALL);
    expect(buildProgram(commandModules, 'help').commands.map((c) => c.name())).toEqual(ALL);
  });

  it('the command list names each command as it registers itself', () => {
    for (const [name] of commandModules) expect(buildProgram(commandModules, name).commands.map((c) => c.name())).toEqual([name]);
  });

  it('built CLI: --help lists every command, help of one command works, a misspelt one gets a suggestion and exit 2', async () => {
    const help = await runKsec(['--help']);
    expect(help.code).toBe(0);
    for (const name of ALL) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const seal = await runKsec(['--no-color', 'seal', '--help']);
    expect(seal).toMatchObject({ code: 0 });
    expect(seal.stdout).toContain('--cert <source>');
    // `ksec` alone prints the same help on stdout, as kubectl does
    const bare = await runKsec([]);
    expect(bare).toMatchObject({ code: 0, stderr: '' });
    expect(bare.stdout).toBe(help.stdout);
    const typo = await runKsec(['sael']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('seal');
    const helpSeal = await runKsec(['help', 'seal']);
    expect(helpSeal.code).toBe(0);
    expect(helpSeal.stdout).toContain('--cert <source>');
  });
});
