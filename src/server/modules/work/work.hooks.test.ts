import { describe, expect, it } from 'vitest';
import { runHooks } from './work.hooks.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('runHooks', () => {
  it('concurrent hooks start at once; one that is not waits for all before it, and those after wait for it', async () => {
    const log: string[] = [];
    const hook = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    const hooks = [hook('a'), hook('b'), hook('c'), hook('d'), hook('e')];
    await runHooks(hooks.length, [true, true, false, true, true], (i) => hooks[i]!());
    expect(log).toEqual([
      'a start', 'b start', 'a end', 'b end', // a and b side by side
      'c start', 'c end', // c waited for both
      'd start', 'e start', 'd end', 'e end', // d and e waited for c
    ]);
  });

  it("a concurrent hook's `earlier` settles when the hooks before it have", async () => {
    const status = { value: 'submitted' };
    const seen: string[] = [];
    await runHooks(3, [true, true, true], async (i, earlier) => {
      if (i === 0) {
        await tick();
        await tick();
        status.value = 'pending_review'; // what review sampling does, late
        return;
      }
      seen.push(`${i} before: ${status.value}`); // started beside hook 0
      await earlier;
      seen.push(`${i} after: ${status.value}`);
    });
    expect(seen).toEqual(['1 before: submitted', '2 before: submitted', '1 after: pending_review', '2 after: pending_review']);
  });

  it('without concurrent hooks it is the plain loop: one after the other', async () => {
    const log: string[] = [];
    await runHooks(3, [], async (i) => {
      log.push(`${i} start`);
      await tick();
      log.push(`${i} end`);
    });
    expect(log).toEqual(['0 start', '0 end', '1 start', '1 end', '2 start', '2 end']);
  });

  it('a throw is thrown after the hooks beside it settled; later hooks do not run', async () => {
    const log: string[] = [];
    const boom = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const aborted = Object.assign(new Error('current transaction is aborted'), { code: '25P02' });
    const p = runHooks(4, [true, true, true, false], async (i) => {
      log.push(`${i} start`);
      await tick();
      if (i === 0) throw aborted; // a statement queued behind the failing one
      if (i === 1) throw boom;
      log.push(`${i} end`);
    });
    // The first error in hook order that is not just "aborted" is the one that counts.
    await expect(p).rejects.toBe(boom);
    expect(log).toEqual(['0 start', '1 start', '2 start', '2 end']);
  });

  it('only "aborted" errors: the first of them is thrown', async () => {
    const first = Object.assign(new Error('one'), { code: '25P02' });
    const second = Object.assign(new Error('two'), { code: '25P02' });
    await expect(runHooks(2, [true, true], async (i) => Promise.reject(i === 0 ? first : second))).rejects.toBe(first);
  });
});
