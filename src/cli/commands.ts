import type { Command } from 'commander';
import type { CliContext } from './context.js';

type Register = (program: Command, ctx: CliContext) => void;

interface CommandModule {
  /** The commands the module registers (list.ts registers get too). */
  names: string[];
  load(): Promise<Register>;
}

/**
 * Every command module, in the order of --help. A module is imported only when its command runs,
 * so a run loads the code of one command (and --version none): each module pulls in its engine,
 * and through it the YAML libraries, the HTTP client, git or the emulator.
 */
const MODULES: CommandModule[] = [
  { names: ['init'], load: async () => (await import('./init.js')).registerInit },
  { names: ['pull'], load: async () => (await import('./pull.js')).registerPull },
  { names: ['diff'], load: async () => (await import('./diff.js')).registerDiff },
  { names: ['push'], load: async () => (await import('./push.js')).registerPush },
  { names: ['restore'], load: async () => (await import('./restore.js')).registerRestore },
  { names: ['copy'], load: async () => (await import('./copy.js')).registerCopy },
  { names: ['mv'], load: async () => (await import('./mv.js')).registerMv },
  { names: ['import'], load: async () => (await import('./import.js')).registerImport },
  { names: ['validate'], load: async () => (await import('./validate.js')).registerValidate },
  { names: ['test'], load: async () => (await import('./test.js')).registerTest },
  { names: ['status'], load: async () => (await import('./status.js')).registerStatus },
  { names: ['list', 'get'], load: async () => (await import('./list.js')).registerList },
  { names: ['icons'], load: async () => (await import('./icons.js')).registerIcons },
  { names: ['emulator'], load: async () => (await import('./emulator.js')).registerEmulator },
  { names: ['demo'], load: async () => (await import('./demo.js')).registerDemo },
];

/**
 * Registers the commands `argv` needs on `program` (which already has the global options): the
 * one it names, or none when it asks for the version (commander prints it before anything else
 * and stops), or every one for the overall help, for `help`, and for a word commander must
 * call an unknown command (its "did you mean" knows only the commands registered). Returns
 * whether every command was registered.
 */
export async function registerCommands(program: Command, ctx: CliContext, argv: string[]): Promise<boolean> {
  const line = scan(program, argv);
  const named = line.command === undefined ? undefined : MODULES.find((m) => m.names.includes(line.command as string));
  const wanted = named ? [named] : line.command === undefined && line.version ? [] : MODULES;
  // Imported side by side, registered in the order of --help.
  const registers = await Promise.all(wanted.map((m) => m.load()));
  for (const register of registers) register(program, ctx);
  return wanted === MODULES;
}

/**
 * The command word of a line, found as commander finds it: the first word that is neither an
 * option of the program nor the value of one (`--host URL`; `--host=URL` and `-Cfile` are one
 * word), before `--`. And whether the version option comes before it.
 */
function scan(program: Command, argv: string[]): { command?: string; version: boolean } {
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') break;
    if (!word.startsWith('-') || word === '-') return { command: word, version };
    const option = program.options.find((o) => o.short === word || o.long === word);
    if (option?.long === '--version') version = true;
    // The program's options take a value or none (no optional values): a required one takes the next word, whatever it is.
    if (option?.required) i++;
  }
  return { version };
}
