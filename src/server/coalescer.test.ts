import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.ts';

/** An exec whose batches finish only when the test says so. */
function controlled() {
  const batches: { key: string; reqs: number[]; finish: (out?: (number | Error)[]) => void; fail: (e: Error) => void }[] = [];
  const exec = (key: string, reqs: number[]) =>
    new Promise<(number | Error)[]>((resolve, reject) => {
      batches.push({ key, reqs, finish: (out) => resolve(out ?? reqs.map((r) => r * 10)), fail: reject });
    });
  return { batches, exec };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Coalescer', () => {
  it('a lone request starts at once; what arrives while a batch runs goes together in the next one', async () => {
    const c = controlled();
    const co = new Coalescer<number, number>(c.exec, { max: 10 });
    const first = co.call('p', 1);
    await tick();
    expect(c.batches.map((b) => b.reqs)).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => co.call('p', n));
    await tick();
    expect(c.batches).toHaveLength(1); // the lane is busy: they wait
    await new Promise((r) => setTimeout(r, 20));
    c.batches[0]!.finish();
    expect(await first).toBe(10);
    await tick();
    expect(c.batches.map((b) => b.reqs)).toEqual([[1], [2, 3, 4]]);
    c.batches[1]!.finish();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(co.stats).toMatchObject({ batches: 2, requests: 4, largest: 3 });
    // The first batch ran ≥ 20 ms, and each of the three later requests waited for it to end.
    expect(co.stats.busyMs).toBeGreaterThanOrEqual(19);
    expect(co.stats.waitMs).toBeGreaterThanOrEqual(3 * 19);
  });

  it('lanes are independent, batches are capped at max, and one distinct key never meets itself in a batch', async () => {
    const c = controlled();
    const co = new Coalescer<number, number>(c.exec, { max: 3, distinct: (n) => String(n % 5) });
    const ps = [1, 6, 2, 3, 4].map((n) => co.call('a', n));
    const other = co.call('b', 7);
    await tick();
    // 1 and 6 share a distinct key (1): 6 waits; the cap of 3 leaves 4 for later.
    expect(c.batches.map((b) => [b.key, b.reqs])).toEqual([
      ['a', [1, 2, 3]],
      ['b', [7]],
    ]);
    c.batches[0]!.finish();
    await tick();
    expect(c.batches[2]!.reqs).toEqual([6, 4]);
    c.batches[2]!.finish();
    c.batches[1]!.finish();
    expect(await Promise.all([...ps, other])).toEqual([10, 60, 20, 30, 40, 70]);
  });

  it('answers each request with its own value, promise or error; a failed batch rejects all of it', async () => {
    const c = controlled();
    const co = new Coalescer<number, number>(c.exec, { max: 10 });
    const a = [1, 2, 3].map((n) => co.call('p', n));
    await tick();
    c.batches[0]!.finish([5, new Error('not you'), Promise.resolve(7) as unknown as number]);
    const settled = await Promise.allSettled(a);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([5, 'not you', 7]);
    const b = [4, 5].map((n) => co.call('p', n));
    await tick();
    c.batches[1]!.fail(new Error('rolled back'));
    for (const r of await Promise.allSettled(b)) expect(r).toMatchObject({ status: 'rejected', reason: { message: 'rolled back' } });
  });

  it('a batch answered with a promise holds its lane until the promise settles', async () => {
    const c = controlled();
    const co = new Coalescer<number, number>(c.exec, { max: 10 });
    const first = co.call('p', 1);
    await tick();
    let finishAlone!: (v: number) => void;
    const alone = new Promise<number>((r) => (finishAlone = r));
    c.batches[0]!.finish([alone as unknown as number]); // "run this request alone"
    const second = co.call('p', 2);
    await tick();
    expect(c.batches).toHaveLength(1); // the lane is still busy with the request run alone
    finishAlone(11);
    expect(await first).toBe(11);
    await tick();
    expect(c.batches.map((b) => b.reqs)).toEqual([[1], [2]]);
    c.batches[1]!.finish();
    expect(await second).toBe(20);
  });

  it('runs at most `concurrency` batches of a lane at once', async () => {
    const c = controlled();
    const co = new Coalescer<number, number>(c.exec, { max: 10, concurrency: 2 });
    const ps = [co.call('p', 1)];
    await tick();
    ps.push(co.call('p', 2));
    await tick();
    ps.push(co.call('p', 3), co.call('p', 4));
    await tick();
    expect(c.batches.map((b) => b.reqs)).toEqual([[1], [2]]);
    c.batches[0]!.finish();
    await tick();
    expect(c.batches.map((b) => b.reqs)).toEqual([[1], [2], [3, 4]]);
    c.batches[1]!.finish();
    c.batches[2]!.finish();
    expect(await Promise.all(ps)).toEqual([10, 20, 30, 40]);
  });
});
