import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/temp.js';

// Every test file leaves the temp folder as it found it, whatever its outcome.
afterAll(removeTempDirs);
