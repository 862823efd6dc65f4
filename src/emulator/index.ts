// The emulator's public API: a PostHog-compatible HTTP server for tests, the demo and offline
// trials. Nothing outside src/emulator imports anything but this module.
export { DEV_API_KEY } from './auth.js';
export { startEmulator, type Emulator, type EmulatorOptions } from './runtime.js';
export { demoSeedPath, loadSeed } from './seed-loader.js';
export { SeedError } from './seeding.js';
export { StateFileError } from './persistence.js';
export type { Faults, NumericFaultName, RequestLogEntry, SeedDoc } from './types.js';
