import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit.ts';

describe('FailureLimiter', () => {
  it('blocks after max failures inside the window and frees the key when it passes', () => {
    let t = 0;
    const l = new FailureLimiter(3, 60_000, () => t);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter('a')).toBe(0);
      l.fail('a');
      t += 1000;
    }
    expect(l.retryAfter('a')).toBe(57);
    expect(l.retryAfter('b')).toBe(0);
    t = 60_001;
    expect(l.retryAfter('a')).toBe(0);
  });

  it('reset clears the failures of a key', () => {
    const l = new FailureLimiter(1, 60_000);
    l.fail('a');
    expect(l.retryAfter('a')).toBeGreaterThan(0);
    l.reset('a');
    expect(l.retryAfter('a')).toBe(0);
  });
});
