import type { Command } from 'commander';
import type { CliContext } from './main.js';
import { registerEmulator } from './emulator.js';
import { registerPull } from './pull.js';

/** Every command module registers itself here; the order is the order in --help. */
export const commands: Array<(program: Command, ctx: CliContext) => void> = [registerPull, registerEmulator];
