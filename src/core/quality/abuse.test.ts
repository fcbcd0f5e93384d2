import { describe, expect, it } from 'vitest';
import { agreementSignal, burstSignal, pausesAutomatically, sameAnswerSignal, sharedAddressSignal, speedSignal } from './abuse.ts';
import { DEFAULT_QUALITY_RULES as R } from './rules.ts';

const A = R.abuse;

describe('speedSignal', () => {
  const slow = Array.from({ length: 20 }, () => 10_000);
  it('flags a median far below the project typical time, with evidence', () => {
    const f = speedSignal(Array.from({ length: 20 }, () => 2_000), 10_000, 100, A.speed);
    expect(f).toMatchObject({ kind: 'too_fast', severity: 'medium', evidence: { workerMedianMs: 2000, projectMedianMs: 10000, ratio: 0.2, tasks: 20 } });
    expect(speedSignal(Array.from({ length: 20 }, () => 800), 10_000, 100, A.speed)?.severity).toBe('high');
  });
  it('stays quiet for ordinary speed and when data is thin', () => {
    expect(speedSignal(slow, 10_000, 100, A.speed)).toBeNull();
    expect(speedSignal(Array.from({ length: 5 }, () => 100), 10_000, 100, A.speed)).toBeNull();
    expect(speedSignal(Array.from({ length: 20 }, () => 100), 10_000, 10, A.speed)).toBeNull();
    expect(speedSignal(Array.from({ length: 20 }, () => 100), null, 100, A.speed)).toBeNull();
  });
});

describe('sameAnswerSignal', () => {
  const crowd = { a: 250, b: 250, c: 250, d: 250 };
  it('flags a constant answerer with a tiny p-value', () => {
    const f = sameAnswerSignal({ a: 40 }, crowd, A.sameAnswer);
    expect(f).toMatchObject({ kind: 'same_answer', severity: 'high', evidence: { answer: 'a', count: 40, answers: 40, labels: 4 } });
    // p = 4 · 0.25^40 (crowd share smoothed: 251/1004 = 0.25)
    expect(f!.evidence.pValue as number).toBeCloseTo(4 * 0.25 ** 40, 30);
  });
  it('does not flag an answer the crowd also gives most of the time', () => {
    expect(sameAnswerSignal({ a: 36, b: 4 }, { a: 900, b: 100 }, A.sameAnswer)).toBeNull();
  });
  it('does not flag an ordinary spread or a short history', () => {
    expect(sameAnswerSignal({ a: 12, b: 10, c: 9, d: 9 }, crowd, A.sameAnswer)).toBeNull();
    expect(sameAnswerSignal({ a: 10 }, crowd, A.sameAnswer)).toBeNull();
  });
  it('grades medium between the two p thresholds', () => {
    // 16 of 20 with a 0.25 share: p = 4 · P(X ≥ 16) ≈ 1.7e-6
    expect(sameAnswerSignal({ a: 16, b: 4 }, crowd, A.sameAnswer)?.severity).toBe('medium');
  });
});

describe('agreementSignal', () => {
  it('flags agreement far below the crowd', () => {
    const f = agreementSignal(5, 50, 0.9, A.agreement);
    expect(f).toMatchObject({ kind: 'low_agreement', severity: 'high', evidence: { agreed: 5, compared: 50, rate: 0.1, crowdRate: 0.9, floor: 0.63 } });
  });
  it('grades medium between the p thresholds', () => {
    expect(agreementSignal(12, 50, 0.9, A.agreement)?.severity).toBe('medium');
  });
  it('leaves honest variation alone', () => {
    expect(agreementSignal(30, 40, 0.9, A.agreement)).toBeNull();
    expect(agreementSignal(1, 10, 0.9, A.agreement)).toBeNull();
  });
});

describe('burstSignal', () => {
  it('finds the busiest window', () => {
    const t0 = Date.parse('2026-11-23T00:00:00Z');
    const times = [...Array.from({ length: 50 }, (_, i) => t0 + i * 1000), ...Array.from({ length: 10 }, (_, i) => t0 + 3_600_000 + i)];
    expect(burstSignal(times, A.burst)).toMatchObject({ kind: 'burst', severity: 'medium', evidence: { requests: 50, windowSeconds: 60, total: 60 } });
    const flood = Array.from({ length: 150 }, (_, i) => t0 + i * 100);
    expect(burstSignal(flood, A.burst)?.severity).toBe('high');
    expect(burstSignal(Array.from({ length: 100 }, (_, i) => t0 + i * 10_000), A.burst)).toBeNull();
  });
});

describe('sharedAddressSignal', () => {
  it('flags several accounts on one address', () => {
    expect(sharedAddressSignal('10.0.0.1', ['u1'], A.sharedAddress)).toBeNull();
    expect(sharedAddressSignal('10.0.0.1', ['u1', 'u1'], A.sharedAddress)).toBeNull();
    expect(sharedAddressSignal('10.0.0.1', ['u1', 'u2'], A.sharedAddress)).toMatchObject({ severity: 'medium', evidence: { accounts: 2 } });
    const f = sharedAddressSignal('10.0.0.1', ['u1', 'u2', 'u3', 'u4'], A.sharedAddress)!;
    expect(f.severity).toBe('high');
    expect(pausesAutomatically(f, R)).toBe(true);
    expect(pausesAutomatically({ ...f, severity: 'medium' }, R)).toBe(false);
  });
});
