import { describe, expect, it } from 'vitest';
import { READY_TEMPLATES, readyTemplate } from './ready-templates.ts';
import { validateResult } from './validate-result.ts';
import { validateTemplate } from './validate-template.ts';
import { CONTROL_TYPES } from './types.ts';

describe('ready templates', () => {
  it('offers the six starters the product promises', () => {
    expect(READY_TEMPLATES.map((t) => t.id)).toEqual([
      'image_classification',
      'sentiment',
      'named_entities',
      'object_boxes',
      'llm_comparison',
      'survey',
    ]);
  });

  it('together use every control type', () => {
    const used = new Set(READY_TEMPLATES.flatMap((t) => t.controlTypes));
    expect([...used].sort()).toEqual([...CONTROL_TYPES].sort());
  });

  for (const info of READY_TEMPLATES) {
    for (const locale of ['ko', 'en'] as const) {
      describe(`${info.id} (${locale})`, () => {
        const ready = readyTemplate(info.id, locale)!;

        it('has names and descriptions in Korean and English', () => {
          for (const text of [info.name.ko, info.name.en, info.description.ko, info.description.en]) {
            expect(text.trim().length).toBeGreaterThan(0);
          }
          expect(info.name.ko).toMatch(/[가-힣]/);
          expect(ready.instructions.length).toBeGreaterThan(20);
        });

        it('passes validateTemplate unchanged (already normalised)', () => {
          expect(validateTemplate(ready.template)).toEqual({ ok: true, template: ready.template });
          // and survives a JSON round trip, as it will when stored
          expect(validateTemplate(JSON.parse(JSON.stringify(ready.template)))).toEqual({ ok: true, template: ready.template });
        });

        it('its sample answer is valid for its sample item', () => {
          expect(validateResult(ready.template, ready.sampleResult, ready.sampleItem)).toEqual([]);
        });

        it('its sample item holds every field the template displays', () => {
          for (const d of ready.template.display) expect(Object.hasOwn(ready.sampleItem, d.field)).toBe(true);
        });
      });
    }
  }

  it('labels follow the locale', () => {
    const ko = readyTemplate('sentiment', 'ko')!;
    const en = readyTemplate('sentiment', 'en')!;
    expect(ko.template.controls[0]).toMatchObject({ options: ['긍정', '중립', '부정'] });
    expect(en.template.controls[0]).toMatchObject({ options: ['positive', 'neutral', 'negative'] });
  });

  it('returns a fresh copy each time and undefined for unknown ids', () => {
    const a = readyTemplate('sentiment')!;
    (a.template.controls[0] as { options: string[] }).options.push('x');
    expect(readyTemplate('sentiment')!.template.controls[0]).toMatchObject({ options: ['긍정', '중립', '부정'] });
    expect(readyTemplate('nope')).toBeUndefined();
    expect(readyTemplate('toString')).toBeUndefined();
  });

  it('the named-entity sample marks the intended words', () => {
    const ready = readyTemplate('named_entities', 'ko')!;
    const text = ready.sampleItem.text as string;
    const spans = ready.sampleResult.entities as { start: number; end: number; label: string }[];
    expect(spans.map((s) => `${s.label}:${text.slice(s.start, s.end)}`)).toEqual([
      'PER:세종대왕',
      'DATE:1443년',
      'ORG:국립한글박물관',
      'LOC:서울 용산',
    ]);
  });
});
