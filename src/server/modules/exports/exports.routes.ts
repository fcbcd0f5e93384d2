import { Type } from 'typebox';
import { FORMAT_NAMES } from '../../../core/export-formats/index.ts';
import type { App } from '../../context.ts';
import { requireRole } from '../../plugins/auth.ts';
import { ErrorResponse } from '../../schemas.ts';
import type { ExportOptions, ExportsService } from './exports.service.ts';

const lit = (xs: string[]) => xs.map((x) => Type.Literal(x));

const JSONL_EXAMPLE =
  '{"id":101,"data":{"text":"배송이 빨라요"},"labels":{"sentiment":{"value":"pos","confidence":0.97}},"confidence":0.97,"isGold":false,"state":"complete","completedAt":"2026-11-23T08:00:00.000Z","annotations":[{"id":5001,"worker":"w_3f9a1c0b7d2e4a61","result":{"sentiment":"pos"},"status":"approved","createdAt":"2026-11-23T07:59:12.000Z"}]}\n';

const DESCRIPTION = `Streams the project's dataset in constant memory, whatever its size (items are read in pages of 1,000 by id).

**Formats** (\`format\`):
- \`jsonl\` (default): one object a line — \`id\`, \`data\`, \`labels\` (per control \`{value, confidence}\` from truth inference), \`confidence\` (item), \`isGold\`, \`state\`, \`completedAt\`, and \`annotations\` (each \`id\`, \`worker\` — a pseudonym stable within the project, never an email or a name — \`result\`, \`status\`, \`createdAt\`).
- \`json\`: the same records as one array.
- \`csv\`: \`id\`, the fields the form shows, then per control \`<name>\` and \`<name>_confidence\` (lists as JSON), \`confidence\`, \`answers\` (with \`annotations=true\`), \`is_gold\`, \`state\`.
- \`coco\`: COCO detection JSON of a bbox control (\`control\`, default the first): categories (ids from 1), images (id = item id, width, height, file_name, coco_url), annotations (\`bbox\` [x, y, w, h] in pixels, area, iscrowd 0).
- \`yolo\`: a zip — \`images/<id>.<ext>\`, \`labels/<id>.txt\` (\`class cx cy w h\` normalised), \`data.yaml\`, \`classes.txt\`.
- \`labelstudio\`: Label Studio tasks — \`data\` as stored (re-imports into Dure as the same items; \`assetUrls=true\` makes images URLs for Label Studio), \`annotations[0]\` the final labels as result entries (\`from_name\`, \`to_name\`, \`type\`, \`value\`; boxes in percent). Re-import the answers as gold with \`POST /items?format=labelstudio&answers=gold\`. The matching labeling config: \`GET /export/labelstudio-config\`.
- \`conll\`: CoNLL-2003 columns (\`token -X- _ tag\`) of a span control, BIO tags, whitespace tokens, a blank line between items.
- \`hf\`: JSONL for \`datasets.load_dataset("json")\` — \`id\`, the form's fields (images as URLs), one column per control (+ \`_confidence\`), the same keys and types on every row.

**Filters**: \`completed=true\` only complete items; \`approved=true\` only approved annotations, and items without one are left out; \`minConfidence\` only items at least that confident; \`gold\` = \`exclude\` (default: gold items are your own answers, not the crowd's — keep them out of training data unless asked), \`include\` or \`only\`; \`annotations\` raw annotations on/off (default on for jsonl/json, off otherwise).

The \`X-Dure-Items\` header gives the number of items the item filters select (an upper bound when \`approved\` or \`minConfidence\` are used), for progress bars.`;

export function exportRoutes(app: App, exportsService: ExportsService, publicUrl: string | null) {
  app.get(
    '/api/projects/:id/export',
    {
      schema: {
        tags: ['export'],
        summary: 'Export the dataset (jsonl, json, csv, coco, yolo, labelstudio, conll, hf), streamed',
        description: DESCRIPTION,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({
          format: Type.Optional(Type.Union(lit(FORMAT_NAMES), { default: 'jsonl', description: 'output format' })),
          completed: Type.Optional(Type.Boolean({ default: false, description: 'only items whose state is complete' })),
          approved: Type.Optional(Type.Boolean({ default: false, description: 'only approved annotations; items without one are left out' })),
          minConfidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'only items at least this confident' })),
          gold: Type.Optional(Type.Union(lit(['exclude', 'include', 'only']), { default: 'exclude', description: 'gold items: left out (default), included, or alone' })),
          annotations: Type.Optional(Type.Boolean({ description: 'include raw annotations (default: jsonl/json yes, others no)' })),
          control: Type.Optional(Type.String({ maxLength: 64, description: 'coco/yolo: the bbox control, conll: the span control (default: the first)' })),
          assetUrls: Type.Optional(Type.Boolean({ default: false, description: 'labelstudio: write stored images as URLs' })),
        }),
        response: {
          200: {
            description: 'The dataset, streamed (chunked). `Content-Disposition` names the file; `X-Dure-Items` counts the items selected.',
            content: {
              'application/x-ndjson': { schema: Type.String({ examples: [JSONL_EXAMPLE] }) },
              'application/json': { schema: Type.String({ description: 'json, coco, labelstudio' }) },
              'text/csv': { schema: Type.String({ examples: ['id,text,sentiment,sentiment_confidence,confidence,is_gold,state\n101,배송이 빨라요,pos,0.97,0.97,false,complete\n'] }) },
              'text/plain': { schema: Type.String({ description: 'conll', examples: ['-DOCSTART- -X- -X- O\n\n삼성전자 -X- _ B-ORG\n주가 -X- _ O\n\n'] }) },
              'application/zip': { schema: Type.String({ description: 'yolo', format: 'binary' }) },
            },
          },
          400: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester', 'admin');
      const q = req.query as Record<string, unknown>;
      const opts: ExportOptions = {
        format: (q.format as string) ?? 'jsonl',
        completedOnly: q.completed === true,
        approvedOnly: q.approved === true,
        minConfidence: typeof q.minConfidence === 'number' ? q.minConfidence : null,
        gold: (q.gold as ExportOptions['gold']) ?? 'exclude',
        annotations: typeof q.annotations === 'boolean' ? q.annotations : undefined,
        control: typeof q.control === 'string' && q.control ? q.control : null,
        assetUrls: q.assetUrls === true,
      };
      const base = (publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
      const out = await exportsService.open(user, (req.params as { id: string }).id, opts, base);
      const ascii = out.filename.replace(/[^A-Za-z0-9._-]+/g, '_');
      reply
        .header('content-type', out.contentType)
        .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(out.filename)}`)
        .header('x-dure-items', String(out.total))
        .header('cache-control', 'no-store');
      return reply.send(out.stream as never);
    },
  );

  app.get(
    '/api/projects/:id/export/labelstudio-config',
    {
      schema: {
        tags: ['export'],
        summary: 'The Label Studio labeling config (XML) matching the project form',
        description:
          'Paste it into a Label Studio project, then import the `format=labelstudio` export there: object names are the item fields, control names the Dure control names, so `from_name`/`to_name` of the exported results match.',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          200: {
            description: 'Label Studio XML',
            content: {
              'application/xml': {
                schema: Type.String({
                  examples: ['<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text" choice="single" required="true">\n    <Choice value="pos"/>\n    <Choice value="neg"/>\n  </Choices>\n</View>\n'],
                }),
              },
            },
          },
          404: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, 'requester', 'admin');
      const xml = await exportsService.labelStudioConfig(user, (req.params as { id: string }).id);
      return reply.type('application/xml; charset=utf-8').send(xml);
    },
  );
}
