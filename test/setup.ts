import { afterAll } from 'vitest';
import { killChildren } from './helpers/children.js';
import { removeTempDirs } from './helpers/temp.js';

// Every test file leaves no process running and the temp folder as it found it, whatever its
// outcome; processes first, or they could write into folders being removed.
afterAll(() => {
  killChildren();
  removeTempDirs();
});
