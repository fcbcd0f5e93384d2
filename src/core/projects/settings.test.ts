import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, resolveSettings } from './settings.ts';
import { canTransition } from './status.ts';

describe('resolveSettings', () => {
  it('fills defaults and keeps given values', () => {
    const { settings, problems } = resolveSettings({ overlap: 5, payPerAnnotation: 0 });
    expect(problems).toEqual([]);
    expect(settings.overlap).toBe(5);
    expect(settings.payPerAnnotation).toBe(0);
    expect(settings.leaseSeconds).toBe(DEFAULT_SETTINGS.leaseSeconds);
  });

  it('reports every bad value with its path', () => {
    const { problems } = resolveSettings({ payPerAnnotation: 1.5, overlap: 0, goldRate: 'x', typo: 1, dynamicOverlap: { enabled: 'yes' } });
    expect(problems.map((p) => p.path).sort()).toEqual(
      ['/settings/dynamicOverlap/enabled', '/settings/goldRate', '/settings/overlap', '/settings/payPerAnnotation', '/settings/typo'].sort(),
    );
  });

  it('merges an update over current settings', () => {
    const base = resolveSettings({ overlap: 7 }).settings;
    const { settings } = resolveSettings({ reviewRate: 0.5 }, base);
    expect(settings.overlap).toBe(7);
    expect(settings.reviewRate).toBe(0.5);
  });

  it('validates the qualification block', () => {
    const ok = resolveSettings({ qualification: { goldCount: 4, passMark: 0.75 } });
    expect(ok.problems).toEqual([]);
    expect(ok.settings.qualification).toEqual({ goldCount: 4, passMark: 0.75, cooldownHours: 24 });
    expect(resolveSettings({ qualification: { passMark: 2 } }).problems[0]!.path).toBe('/settings/qualification/passMark');
  });
});

describe('choice and text settings', () => {
  it('accepts valid values and refuses others', () => {
    const ok = resolveSettings({ autoApprove: 'agreement', aggregationMethod: 'ds' });
    expect(ok.problems).toEqual([]);
    expect(ok.settings).toMatchObject({ autoApprove: 'agreement', aggregationMethod: 'ds' });
    expect(resolveSettings({ autoApprove: 'never' }).problems[0]!.path).toBe('/settings/autoApprove');
  });
});

describe('dynamic overlap bounds', () => {
  it('checks minAnswers against overlap only when dynamic overlap is on', () => {
    expect(resolveSettings({ overlap: 1 }).problems).toEqual([]);
    expect(resolveSettings({ overlap: 1, dynamicOverlap: { enabled: true } }).problems[0]!.path).toBe('/settings/dynamicOverlap/minAnswers');
  });
});

describe('project status transitions', () => {
  it('allows the lifecycle and refuses shortcuts', () => {
    expect(canTransition('draft', 'active')).toBe(true);
    expect(canTransition('active', 'paused')).toBe(true);
    expect(canTransition('paused', 'active')).toBe(true);
    expect(canTransition('draft', 'completed')).toBe(false);
    expect(canTransition('archived', 'active')).toBe(false);
  });
});
