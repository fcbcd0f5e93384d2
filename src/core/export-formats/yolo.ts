import { assetHash } from '../templates/media.ts';
import { itemBoxes, itemImage, pickControl, type PlainBox } from './boxes.ts';
import type { ExportFormat, ZipEntry, ZipWriter } from './types.ts';

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const f6 = (v: number) => Number(clamp01(v).toFixed(6)).toString();

/**
 * One YOLO label line: `class x_center y_center width height`, all normalised to 0..1 by the
 * image's natural size (Ultralytics/Darknet convention), six decimals.
 */
export function yoloLine(cls: number, b: PlainBox, width: number, height: number): string {
  return `${cls} ${f6((b.x + b.width / 2) / width)} ${f6((b.y + b.height / 2) / height)} ${f6(b.width / width)} ${f6(b.height / height)}`;
}

/** YAML double-quoted scalar (a JSON string is one). */
const yamlString = (s: string) => JSON.stringify(s);

/**
 * YOLO dataset as a zip (Ultralytics layout): `images/<item id>.<ext>` (stored images only;
 * images given as URLs are not downloaded), `labels/<item id>.txt` (one line per box, empty
 * file = no object), `data.yaml` (`path`, `train`, `val`, `nc`, `names`), `classes.txt` (one
 * class a line, class id = line number from 0, in the order of the control's labels).
 * Items whose image size is unknown cannot be normalised: listed in `unsized.txt`, no label file.
 */
export const yolo: ExportFormat = {
  kind: 'zip',
  name: 'yolo',
  summary: 'YOLO zip: images/, labels/*.txt (normalised class cx cy w h), data.yaml, classes.txt',
  extension: 'zip',
  contentType: 'application/zip',
  control: 'bbox',
  create: (ctx): ZipWriter => {
    const control = pickControl(ctx.template, 'bbox', ctx.control)!;
    const cls = new Map(control.labels.map((l, i) => [l, i]));
    const unsized: number[] = [];
    return {
      page: (items) => {
        const out: ZipEntry[] = [];
        for (const item of items) {
          const img = itemImage(item, control.imageField);
          const sha = assetHash(img.source);
          if (sha) out.push({ path: `images/${item.id}`, asset: sha });
          if (!img.size) {
            unsized.push(item.id);
            continue;
          }
          const lines = itemBoxes(item, control.name)
            .filter((b) => cls.has(b.label))
            .map((b) => yoloLine(cls.get(b.label)!, b, img.size!.width, img.size!.height));
          out.push({ path: `labels/${item.id}.txt`, content: lines.length ? `${lines.join('\n')}\n` : '' });
        }
        return out;
      },
      finish: () => {
        const names = control.labels.map(yamlString).join(', ');
        const yaml =
          `# Dure export of project ${yamlString(ctx.project.name)}, control ${yamlString(control.name)}\n` +
          `path: .\ntrain: images\nval: images\nnc: ${control.labels.length}\nnames: [${names}]\n`;
        const entries: ZipEntry[] = [
          { path: 'data.yaml', content: yaml },
          { path: 'classes.txt', content: control.labels.map((l) => `${l}\n`).join('') },
        ];
        if (unsized.length) entries.push({ path: 'unsized.txt', content: unsized.map((id) => `${id}\n`).join('') });
        return entries;
      },
    };
  },
};
