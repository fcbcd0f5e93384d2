/** Dataset export formats: pure writers over pages of items. See CONTEXT.md. */
import { coco } from './coco.ts';
import { conll } from './conll.ts';
import { csv } from './csv.ts';
import { hf } from './hf.ts';
import { json, jsonl } from './jsonl.ts';
import { labelstudio } from './labelstudio.ts';
import type { ExportFormat } from './types.ts';
import { yolo } from './yolo.ts';

export * from './types.ts';
export { itemLabels, fallbackLabels, type CountedAnswer, type LabelInput } from './labels.ts';
export { itemRecord } from './jsonl.ts';
export { tokenize, bioTags } from './conll.ts';
export { yoloLine } from './yolo.ts';
export { pickControl } from './boxes.ts';
export { fromLabelStudioResult, labelStudioAnswer, labelStudioConfig, toLabelStudioResult } from './labelstudio.ts';

export const EXPORT_FORMATS: Record<string, ExportFormat> = { jsonl, json, csv, coco, yolo, labelstudio, conll, hf };
export const FORMAT_NAMES = Object.keys(EXPORT_FORMATS);
