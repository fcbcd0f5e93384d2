import { GOLD_KEY, readField, type ItemData, type Result, type Template } from '@core/templates/index.ts';

/** A neutral 320×240 placeholder picture for image fields the sample item lacks. */
export const PLACEHOLDER_IMAGE =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">' +
      '<rect width="320" height="240" fill="#e7f5f9"/><circle cx="90" cy="80" r="28" fill="#a2cfdf"/>' +
      '<polygon points="20,220 120,110 190,190 230,150 300,220" fill="#479dbd"/></svg>',
  );

export interface SampleWords {
  text: (field: string) => string;
  number: number;
  link: string;
}

/**
 * The item the preview shows: `base` (a ready template's sample, or the first imported item)
 * with placeholders for every displayed field it lacks, so a new field shows something at once.
 * `_gold` is dropped (workers never see it).
 */
export function previewItem(template: Template, base: ItemData, w: SampleWords): ItemData {
  const out: ItemData = { ...base };
  delete out[GOLD_KEY];
  for (const d of template.display) {
    if (readField(out, d.field) !== undefined) continue;
    switch (d.type) {
      case 'text':
        out[d.field] = w.text(d.label ?? d.field);
        break;
      case 'image':
        out[d.field] = { src: PLACEHOLDER_IMAGE, width: 320, height: 240 };
        break;
      case 'number':
        out[d.field] = w.number;
        break;
      case 'link':
        out[d.field] = w.link;
        break;
      default:
        break;
    }
  }
  return out;
}

/** The preview's answer under a (possibly changed) template: answers of controls still there, by name. */
export function keepAnswers(template: Template, previous: Result, fresh: Result): Result {
  const out: Result = { ...fresh };
  for (const c of template.controls) if (Object.hasOwn(previous, c.name)) out[c.name] = previous[c.name]!;
  return out;
}
