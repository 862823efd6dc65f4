import { describe, expect, it } from 'vitest';
import { Handover } from '../../src/posthog/paginate.js';

// Issue 22, pull at scale: converting rows must not hold up the answers that arrive meanwhile
// (a dashboard retrieve waits for one slice of insights at most, not for whole pages of them).
describe('Handover', () => {
  it('runs what it is handed in order, one piece per turn of the event loop', async () => {
    const order: string[] = [];
    const handover = new Handover();
    const done = [1, 2, 3].map((n) => handover.run(() => order.push(`slice ${n}`)));
    setImmediate(() => order.push('an answer'));
    await Promise.all(done);
    expect(order).toEqual(['slice 1', 'an answer', 'slice 2', 'slice 3']);
  });

  it('settles each piece as it ends, a failure with its error, and goes on with the rest', async () => {
    const handover = new Handover();
    const failing = handover.run(() => {
      throw new Error('bad row');
    });
    const next = handover.run(() => undefined);
    await expect(failing).rejects.toThrow('bad row');
    await expect(next).resolves.toBeUndefined();
  });
});
