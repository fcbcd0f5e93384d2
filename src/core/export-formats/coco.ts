import { isAssetRef } from '../templates/media.ts';
import { itemBoxes, itemImage, pickControl } from './boxes.ts';
import type { ExportFormat, TextWriter } from './types.ts';

/**
 * COCO object detection (https://cocodataset.org/#format-data): `categories` (ids from 1, in
 * the order of the control's labels), `images` (`id` = item id, `width`/`height` = natural
 * size, `file_name`, `coco_url` = fetchable URL), `annotations` (`id` from 1, `image_id`,
 * `category_id`, `bbox` `[x, y, width, height]` in pixels from the top-left, `area`,
 * `iscrowd` 0, `segmentation` []). Items whose image size is unknown cannot be described and
 * are left out; their number is given in the trailing `dure.skippedItems`.
 * Written in two sections: images stream as they come, annotations are appended after.
 */
export const coco: ExportFormat = {
  kind: 'text',
  name: 'coco',
  summary: 'COCO object detection JSON (images, categories, bbox annotations in pixels)',
  extension: 'json',
  contentType: 'application/json; charset=utf-8',
  control: 'bbox',
  create: (ctx): TextWriter => {
    const control = pickControl(ctx.template, 'bbox', ctx.control)!;
    const category = new Map(control.labels.map((l, i) => [l, i + 1]));
    let annId = 0;
    let firstImage = true;
    let firstAnn = true;
    let skipped = 0;
    return {
      sections: 2,
      head: () =>
        `{"info":${JSON.stringify({
          description: ctx.project.name,
          version: '1.0',
          year: new Date().getUTCFullYear(),
          contributor: 'Dure',
          date_created: new Date().toISOString(),
        })},"licenses":[],"categories":${JSON.stringify(control.labels.map((name, i) => ({ id: i + 1, name, supercategory: control.name })))},"images":[`,
      page: (items) => {
        let images = '';
        let anns = '';
        for (const item of items) {
          const img = itemImage(item, control.imageField);
          if (!img.size) {
            skipped++;
            continue;
          }
          const image: Record<string, unknown> = { id: item.id, width: img.size.width, height: img.size.height, file_name: img.fileName };
          if (img.source) image.coco_url = isAssetRef(img.source) ? ctx.assetUrl(img.source) : img.source;
          images += (firstImage ? '\n' : ',\n') + JSON.stringify(image);
          firstImage = false;
          for (const b of itemBoxes(item, control.name)) {
            const cat = category.get(b.label);
            if (cat === undefined) continue;
            annId++;
            const ann = {
              id: annId,
              image_id: item.id,
              category_id: cat,
              bbox: [b.x, b.y, b.width, b.height],
              area: b.width * b.height,
              iscrowd: 0,
              segmentation: [],
            };
            anns += (firstAnn ? '\n' : ',\n') + JSON.stringify(ann);
            firstAnn = false;
          }
        }
        return [images, anns];
      },
      between: () => '\n],"annotations":[',
      tail: () => `\n],"dure":${JSON.stringify({ projectId: ctx.project.id, control: control.name, skippedItems: skipped })}}\n`,
    };
  },
};
