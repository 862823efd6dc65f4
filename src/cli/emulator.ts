import type { Command } from 'commander';
import type { CliContext } from './main.js';

// Placeholder: the emulator command is being written (src/emulator).
export function registerEmulator(program: Command, _ctx: CliContext): void {
  program.command('emulator').description('run a PostHog-compatible API server on loopback');
}
