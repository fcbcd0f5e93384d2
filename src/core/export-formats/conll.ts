import { displayText, readField } from '../templates/media.ts';
import { pickControl } from './boxes.ts';
import type { ExportFormat, TextWriter } from './types.ts';

export interface Token {
  text: string;
  start: number;
  end: number;
}

/**
 * Whitespace tokenisation: a token is a maximal run of non-whitespace characters (JavaScript's
 * `\s`: spaces, tabs, newlines, U+3000 and the other Unicode spaces). Offsets are UTF-16 code
 * units, like span offsets. Punctuation stays attached to its word ("서울에서," is one token).
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/\S+/g)) out.push({ text: m[0], start: m.index!, end: m.index! + m[0].length });
  return out;
}

/**
 * BIO tags of the tokens for spans (end exclusive): a token is inside a span when they share
 * at least one character; the first token of a span is `B-<label>`, the following ones
 * `I-<label>`, all others `O`. Where spans overlap (only possible with allowOverlap), the span
 * starting first wins a token.
 */
export function bioTags(tokens: readonly Token[], spans: readonly { start: number; end: number; label: string }[]): string[] {
  const tags = tokens.map(() => 'O');
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const s of sorted) {
    let first = true;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.end <= s.start || t.start >= s.end) continue;
      if (tags[i] !== 'O') {
        first = false;
        continue;
      }
      tags[i] = `${first ? 'B' : 'I'}-${s.label}`;
      first = false;
    }
  }
  return tags;
}

/**
 * CoNLL-2003 columns, one token a line: `token POS chunk NER`, with `-X-` and `_` standing for
 * the POS and chunk columns Dure does not have (the layout Label Studio and spaCy write and the
 * `conll2003` readers accept). The file starts with `-DOCSTART- -X- -X- O`; one blank line
 * ends each item, in item id order (the order of every other export). Items with an empty text
 * are left out. Tags come from the final spans of the chosen span control (`control`, default
 * the first).
 */
export const conll: ExportFormat = {
  kind: 'text',
  name: 'conll',
  summary: 'CoNLL-2003 BIO tags of a span control, whitespace tokens, a blank line between items',
  extension: 'conll',
  contentType: 'text/plain; charset=utf-8',
  control: 'span',
  create: (ctx): TextWriter => {
    const control = pickControl(ctx.template, 'span', ctx.control)!;
    return {
      sections: 1,
      head: () => '-DOCSTART- -X- -X- O\n\n',
      page: (items) => {
        let s = '';
        for (const item of items) {
          const tokens = tokenize(displayText(readField(item.data, control.textField)));
          if (!tokens.length) continue;
          const v = item.labels[control.name]?.value;
          const spans = Array.isArray(v) ? (v as { start: number; end: number; label: string }[]) : [];
          const tags = bioTags(tokens, spans);
          for (let i = 0; i < tokens.length; i++) s += `${tokens[i]!.text} -X- _ ${tags[i]}\n`;
          s += '\n';
        }
        return [s];
      },
      between: () => '',
      tail: () => '',
    };
  },
};
