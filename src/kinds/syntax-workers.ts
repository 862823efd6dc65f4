import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parserCall, verdictOf, type Verdict } from './syntax.js';
import type { CodeText } from './syntax-table.js';

/**
 * A worker's whole program: PostHog's parser, given [method, input] pairs, answers each with
 * the parser's error answer, or null when the text parses (a parse tree is large and nothing
 * here reads it). A string rather than a module of its own, so that the same worker runs
 * whether hogsync runs compiled (dist/) or from its TypeScript sources (the tests).
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.parser)().then((parser) => {
  parentPort.once('message', (calls) => {
    parentPort.postMessage(calls.map(([method, input]) => {
      const raw = parser[method](input, true);
      return raw.includes('"error":true') ? raw : null;
    }));
  });
});
`;

/** Below this many texts a second worker costs more to start (its parser takes ~50 ms to load) than it saves. */
const TEXTS_PER_WORKER = 50;

/** Where the parser's package is (its CommonJS entry, which the workers load). */
function parserEntry(): string {
  return createRequire(import.meta.url).resolve('@posthog/hogql-parser');
}

/** The parser's version: verdicts kept on disk hold for it alone. */
export function parserVersion(): string {
  // The package's exports do not include its package.json; it sits one folder above the entry.
  const { version } = JSON.parse(readFileSync(join(dirname(parserEntry()), '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}

export interface ParseJob {
  /** Verdicts by CodeText.key. */
  verdicts: Promise<Map<string, Verdict>>;
  /** Ends the workers (a run that stops early does not wait for them). */
  stop(): void;
}

/**
 * Parses texts with PostHog's parser in worker threads, so that loading the parser and
 * parsing overlap whatever this thread does meanwhile (converting list pages as they come).
 * Up to `threads` workers share the texts.
 */
export function parseInWorkers(codes: readonly CodeText[], threads: number): ParseJob {
  if (codes.length === 0) return { verdicts: Promise.resolve(new Map()), stop: () => undefined };
  const parser = parserEntry();
  const count = Math.max(1, Math.min(threads, Math.ceil(codes.length / TEXTS_PER_WORKER)));
  // Dealt out in turn, so that long and short texts spread evenly.
  const batches = Array.from({ length: count }, (_, w) => codes.filter((_, i) => i % count === w));
  const workers: Worker[] = [];
  let stopped = false;
  const answers = batches.map(
    (batch) =>
      new Promise<Map<string, Verdict>>((resolve, reject) => {
        const worker = new Worker(WORKER, { eval: true, workerData: { parser } });
        workers.push(worker);
        let done = false;
        worker.once('message', (raws: Array<string | null>) => {
          done = true;
          void worker.terminate();
          resolve(new Map(batch.map((c, i) => [c.key, verdictOf(c.grammar, c.text, raws[i] ?? null)])));
        });
        worker.once('error', (error) => {
          done = true;
          reject(error);
        });
        worker.once(
          'exit',
          (code) =>
            done ||
            reject(
              stopped ? stoppedError() : new Error(`the Hog/HogQL parser's worker thread stopped (exit code ${code}) before answering`),
            ),
        );
        worker.postMessage(
          batch.map((c) => {
            const call = parserCall(c.grammar, c.text);
            return [call.method, call.input];
          }),
        );
      }),
  );
  const verdicts = Promise.all(answers).then((maps) => new Map(maps.flatMap((m) => [...m])));
  // Awaited by the caller, or abandoned when the run stops first: never an unhandled rejection.
  verdicts.catch(() => undefined);
  return {
    verdicts,
    stop: () => {
      stopped = true;
      workers.forEach((w) => void w.terminate());
    },
  };
}

/** Named as an aborted request is, so that a run stopped by a signal reports the stop (engine/interrupt.ts). */
function stoppedError(): Error {
  return Object.assign(new Error('the parse was stopped: the run is stopping'), { name: 'AbortError' });
}
