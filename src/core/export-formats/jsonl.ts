import type { ExportFormat, ExportItem, TextWriter } from './types.ts';

/**
 * The line API.md promises: `id`, `data`, `labels` (per control `{value, confidence}`),
 * `annotations` (each `id`, `worker` pseudonym, `result`, `status`, `createdAt`; absent when
 * asked without), plus `isGold`, `state`, `completedAt` and the item-level `confidence`.
 */
export function itemRecord(item: ExportItem): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: item.id,
    data: item.data,
    labels: item.labels,
    confidence: item.confidence,
    isGold: item.isGold,
    state: item.state,
    completedAt: item.completedAt,
  };
  if (item.annotations) out.annotations = item.annotations;
  return out;
}

const str = JSON.stringify;

/**
 * `JSON.stringify(itemRecord(item))`, with the same keys in the same order, but copying `data`,
 * `annotations` (or each `result`) as the JSON text the database gave (no parse, no re-serialisation).
 */
export function itemLine(item: ExportItem): string {
  let s = `{"id":${item.id},"data":${item.dataJson ?? str(item.data)},"labels":${str(item.labels)},"confidence":${str(item.confidence)},"isGold":${item.isGold},"state":${str(item.state)},"completedAt":${str(item.completedAt)}`;
  if (item.annotationsJson !== undefined) s += `,"annotations":${item.annotationsJson}`;
  else if (item.annotations) {
    s += ',"annotations":[';
    for (let i = 0; i < item.annotations.length; i++) {
      const a = item.annotations[i]!;
      s += `${i ? ',' : ''}{"id":${a.id},"worker":${str(a.worker)},"result":${a.resultJson ?? str(a.result)},"status":${str(a.status)},"createdAt":${str(a.createdAt)}}`;
    }
    s += ']';
  }
  return `${s}}`;
}

export const jsonl: ExportFormat = {
  kind: 'text',
  name: 'jsonl',
  summary: 'One JSON object a line: id, data, labels, confidence, annotations',
  extension: 'jsonl',
  contentType: 'application/x-ndjson; charset=utf-8',
  create: (): TextWriter => ({
    sections: 1,
    head: () => '',
    page: (items) => {
      let s = '';
      for (const i of items) s += `${itemLine(i)}\n`;
      return [s];
    },
    between: () => '',
    tail: () => '',
  }),
};

export const json: ExportFormat = {
  kind: 'text',
  name: 'json',
  summary: 'The jsonl records as one JSON array',
  extension: 'json',
  contentType: 'application/json; charset=utf-8',
  create: (): TextWriter => {
    let first = true;
    return {
      sections: 1,
      head: () => '[',
      page: (items) => {
        let s = '';
        for (const i of items) {
          s += `${first ? '\n' : ',\n'}${itemLine(i)}`;
          first = false;
        }
        return [s];
      },
      between: () => '',
      tail: () => (first ? ']\n' : '\n]\n'),
    };
  },
};
