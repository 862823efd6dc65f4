// The seam where a real Hog VM can be plugged in. The emulator ships a stand-in that walks the
// parsed program (see hog-stand-in-vm.ts) well enough to log mocked `fetch` calls and `print`s.
import type { HogParser } from './hog-parser.js';
import type { Json, JsonObject } from './json.js';

export interface InvocationLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  timestamp: string;
  message: string;
}

export interface InvocationInput {
  functionType: string;
  functionName: string | null;
  hog: string;
  /** Input values resolved against the globals (templates rendered), in dependency order. */
  inputs: JsonObject;
  /** `{event, person?, groups?, project, source}` as the CDP service builds them. */
  globals: JsonObject;
  mockAsyncFunctions: boolean;
  parser: HogParser;
}

/** cdp-api's test-invocation response. */
export interface InvocationResult {
  status: 'success' | 'error' | 'skipped';
  result: Json;
  errors: string[];
  logs: InvocationLog[];
}

export interface HogExecutor {
  invoke(input: InvocationInput): InvocationResult | Promise<InvocationResult>;
}
