import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerEmulator } from './emulator.js';
import { registerInit } from './init.js';
import { registerPull } from './pull.js';
import { registerDiff } from './diff.js';
import { registerPush } from './push.js';
import { registerCopy } from './copy.js';
import { registerRestore } from './restore.js';
import { registerDemo } from './demo.js';
import { registerValidate } from './validate.js';
import { registerTest } from './test.js';
import { registerStatus } from './status.js';
import { registerList } from './list.js';
import { registerIcons } from './icons.js';
import { registerMv } from './mv.js';
import { registerImport } from './import.js';

/** Every command module registers itself here; the order is the order in --help. */
export const commands: Array<(program: Command, ctx: CliContext) => void> = [registerInit, registerPull, registerDiff, registerPush, registerRestore, registerCopy, registerMv, registerImport, registerValidate, registerTest, registerStatus, registerList, registerIcons, registerEmulator, registerDemo];
