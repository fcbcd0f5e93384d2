/**
 * The starter library: forms a requester can begin from, each with a small sample item (and
 * a sample answer) so the editor's preview renders at once. Labels, options and samples exist
 * in Korean and English; pick the requester's language when the project is created — option
 * strings are stored in results, so a project keeps the language it started with.
 */
import { validateTemplate } from './validate-template.ts';
import type { ControlType, ItemData, Result, Span, Template, TemplateInput } from './types.ts';

export type Locale = 'ko' | 'en';
export type Localized = Record<Locale, string>;

export interface ReadyTemplateInfo {
  id: string;
  name: Localized;
  description: Localized;
  /** The control types the form uses (for the gallery's badges). */
  controlTypes: ControlType[];
}

export interface ReadyTemplate extends ReadyTemplateInfo {
  locale: Locale;
  template: Template;
  /** Markdown for the project's instructions. */
  instructions: string;
  /** An item to preview the form with. */
  sampleItem: ItemData;
  /** A valid answer for `sampleItem`. */
  sampleResult: Result;
}

interface Content {
  template: TemplateInput;
  instructions: string;
  sampleItem: ItemData;
  sampleResult: Result;
}

interface Definition extends Omit<ReadyTemplateInfo, 'controlTypes'> {
  build(t: (ko: string, en: string) => string, locale: Locale): Content;
}

const svg = (body: string, width: number, height: number) =>
  'data:image/svg+xml,' +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`,
  );

const CAT = svg(
  '<rect width="240" height="240" fill="#e8f0f7"/>' +
    '<polygon points="52,100 70,30 110,80" fill="#f2a341"/><polygon points="188,100 170,30 130,80" fill="#f2a341"/>' +
    '<circle cx="120" cy="130" r="78" fill="#f2a341"/>' +
    '<circle cx="92" cy="118" r="10" fill="#2d2d2d"/><circle cx="148" cy="118" r="10" fill="#2d2d2d"/>' +
    '<polygon points="112,146 128,146 120,156" fill="#c2185b"/>' +
    '<path d="M60 150 L100 156 M60 166 L100 162 M180 150 L140 156 M180 166 L140 162" stroke="#2d2d2d" stroke-width="3"/>',
  240,
  240,
);

/** A street: a car at (40,130) 120×60 and a person at (220,90) 40×110, in a 320×240 image. */
const STREET = svg(
  '<rect width="320" height="240" fill="#cfe8fc"/><rect y="180" width="320" height="60" fill="#777"/>' +
    '<rect x="40" y="140" width="120" height="36" rx="8" fill="#d32f2f"/><rect x="64" y="130" width="68" height="22" rx="6" fill="#b71c1c"/>' +
    '<circle cx="70" cy="176" r="14" fill="#222"/><circle cx="132" cy="176" r="14" fill="#222"/>' +
    '<circle cx="240" cy="104" r="14" fill="#f5c99b"/><rect x="224" y="118" width="32" height="50" rx="6" fill="#1976d2"/>' +
    '<rect x="226" y="166" width="11" height="34" fill="#333"/><rect x="243" y="166" width="11" height="34" fill="#333"/>',
  320,
  240,
);

/** A span over the first occurrence of `part` in `text` (offsets in UTF-16 code units). */
function spanOf(text: string, part: string, label: string, from = 0): Span {
  const start = text.indexOf(part, from);
  if (start < 0) throw new Error(`ready template sample: ${part} not in text`);
  return { start, end: start + part.length, label };
}

const DEFINITIONS: Definition[] = [
  {
    id: 'image_classification',
    name: { ko: '이미지 분류', en: 'Image classification' },
    description: {
      ko: '이미지 한 장을 보고 알맞은 범주 하나를 고릅니다.',
      en: 'Look at one image and choose the category that fits.',
    },
    build: (t) => ({
      template: {
        display: [{ type: 'image', field: 'image', label: t('이미지', 'Image') }],
        controls: [
          {
            type: 'single_choice',
            name: 'label',
            label: t('이 이미지에 있는 것은?', 'What is in this image?'),
            options: [t('고양이', 'cat'), t('개', 'dog'), t('기타', 'other')],
          },
        ],
      },
      instructions: t(
        '이미지에 보이는 동물을 고르세요. 둘 다 아니면 **기타**를 고릅니다. 숫자 키 1–3으로 고를 수 있습니다.',
        'Choose the animal the image shows. If it is neither, choose **other**. Number keys 1–3 choose.',
      ),
      sampleItem: { image: CAT, width: 240, height: 240 },
      sampleResult: { label: t('고양이', 'cat') },
    }),
  },
  {
    id: 'sentiment',
    name: { ko: '감정 분류', en: 'Sentiment' },
    description: {
      ko: '문장을 읽고 긍정, 중립, 부정 중 하나로 분류합니다.',
      en: 'Read a text and classify it as positive, neutral or negative.',
    },
    build: (t) => ({
      template: {
        display: [{ type: 'text', field: 'text', label: t('문장', 'Text') }],
        controls: [
          {
            type: 'single_choice',
            name: 'sentiment',
            label: t('글쓴이의 감정은?', "What is the writer's sentiment?"),
            options: [t('긍정', 'positive'), t('중립', 'neutral'), t('부정', 'negative')],
          },
        ],
      },
      instructions: t(
        '글쓴이가 전하려는 감정을 고르세요. 사실만 전하는 글은 **중립**입니다.',
        'Choose the feeling the writer expresses. A text that only states facts is **neutral**.',
      ),
      sampleItem: { text: t('배송이 빨라서 정말 만족스러워요!', 'Fast delivery, I am really happy with it!') },
      sampleResult: { sentiment: t('긍정', 'positive') },
    }),
  },
  {
    id: 'named_entities',
    name: { ko: '개체명 인식', en: 'Named entities' },
    description: {
      ko: '문장에서 사람, 기관, 장소, 날짜를 드래그해 표시합니다.',
      en: 'Mark people, organisations, places and dates in a text by selecting them.',
    },
    build: (t, locale) => {
      const text = t(
        '세종대왕은 1443년 한글을 창제했고, 국립한글박물관은 서울 용산에 있다.',
        'Marie Curie joined the University of Paris in 1906 and lived in Paris until 1934.',
      );
      return {
        template: {
          display: [{ type: 'text', field: 'text', label: t('문장', 'Text') }],
          controls: [
            {
              type: 'span',
              name: 'entities',
              label: t('개체명', 'Entities'),
              labels: ['PER', 'ORG', 'LOC', 'DATE'],
              textField: 'text',
            },
          ],
        },
        instructions: t(
          '숫자 키로 라벨을 고른 뒤 글자를 드래그해 표시하세요. PER 사람, ORG 기관, LOC 장소, DATE 날짜. 조사는 빼고 표시합니다.',
          'Pick a label with a number key, then select the words. PER person, ORG organisation, LOC place, DATE date.',
        ),
        sampleItem: { text },
        sampleResult: {
          entities:
            locale === 'ko'
              ? [
                  spanOf(text, '세종대왕', 'PER'),
                  spanOf(text, '1443년', 'DATE'),
                  spanOf(text, '국립한글박물관', 'ORG'),
                  spanOf(text, '서울 용산', 'LOC'),
                ]
              : [
                  spanOf(text, 'Marie Curie', 'PER'),
                  spanOf(text, 'University of Paris', 'ORG'),
                  spanOf(text, '1906', 'DATE'),
                  spanOf(text, 'Paris', 'LOC', text.indexOf('lived')),
                  spanOf(text, '1934', 'DATE'),
                ],
        },
      };
    },
  },
  {
    id: 'object_boxes',
    name: { ko: '객체 영역 표시', en: 'Object boxes' },
    description: {
      ko: '이미지 속 자동차와 사람마다 상자를 그립니다.',
      en: 'Draw a box around every car and person in an image.',
    },
    build: (t) => ({
      template: {
        display: [{ type: 'image', field: 'image', label: t('이미지', 'Image') }],
        controls: [
          {
            type: 'bbox',
            name: 'objects',
            label: t('객체', 'Objects'),
            labels: [t('자동차', 'car'), t('사람', 'person')],
            imageField: 'image',
          },
        ],
      },
      instructions: t(
        '보이는 자동차와 사람을 하나도 빠짐없이 상자로 감싸세요. 상자는 물체에 꼭 맞게, 가려진 부분은 짐작해 그리지 않습니다. 없으면 상자 없이 제출합니다.',
        'Box every visible car and person, tightly; do not guess hidden parts. If there are none, submit without boxes.',
      ),
      sampleItem: { image: STREET, width: 320, height: 240 },
      sampleResult: {
        objects: [
          { x: 40, y: 130, width: 120, height: 60, label: t('자동차', 'car') },
          { x: 220, y: 90, width: 40, height: 110, label: t('사람', 'person') },
        ],
      },
    }),
  },
  {
    id: 'llm_comparison',
    name: { ko: 'LLM 답변 비교', en: 'LLM answer comparison' },
    description: {
      ko: '같은 질문에 대한 두 답변 중 더 나은 것을 고르고, 품질 점수와 의견을 남깁니다.',
      en: 'Choose the better of two answers to the same prompt, rate its quality and comment.',
    },
    build: (t) => ({
      template: {
        layout: 'columns',
        display: [
          { type: 'text', field: 'prompt', label: t('질문', 'Prompt') },
          { type: 'text', field: 'answer_a', label: t('답변 A', 'Answer A') },
          { type: 'text', field: 'answer_b', label: t('답변 B', 'Answer B') },
        ],
        controls: [
          {
            type: 'pairwise',
            name: 'preference',
            label: t('어느 답변이 더 나은가요?', 'Which answer is better?'),
            fields: ['answer_a', 'answer_b'],
            allowEqual: true,
          },
          {
            type: 'rating',
            name: 'quality',
            label: t('더 나은 답변의 품질', 'Quality of the better answer'),
            scale: 5,
          },
          {
            type: 'text',
            name: 'comment',
            label: t('이유 (선택)', 'Why (optional)'),
            multiline: true,
            maxLength: 2000,
            required: false,
          },
        ],
      },
      instructions: t(
        '정확하고, 질문에 실제로 답하며, 안전하고, 읽기 쉬운 답변을 고르세요. 차이가 없으면 **같음**을 고릅니다. 1/2/3 키로 A/B/같음을 고를 수 있습니다.',
        'Prefer the answer that is correct, actually answers the prompt, is safe and reads well. If neither is better, choose **equal**. Keys 1/2/3 choose A/B/equal.',
      ),
      sampleItem: {
        prompt: t('서울에서 부산까지 KTX로 얼마나 걸리나요?', 'How long does the KTX take from Seoul to Busan?'),
        answer_a: t(
          '서울역에서 부산역까지 KTX로 보통 2시간 30분 안팎 걸립니다. 정차역 수에 따라 조금 달라집니다.',
          'Usually about 2 hours 30 minutes from Seoul Station to Busan Station, depending on the stops.',
        ),
        answer_b: t('약 5시간 걸립니다.', 'About 5 hours.'),
      },
      sampleResult: {
        preference: 'answer_a',
        quality: 4,
        comment: t('B는 시간이 틀렸습니다.', 'B gets the time wrong.'),
      },
    }),
  },
  {
    id: 'survey',
    name: { ko: '설문·데이터 수집', en: 'Survey / data collection' },
    description: {
      ko: '현장을 확인하고 사진, 수치, 의견을 제출합니다. 시민 참여 데이터 수집에 알맞습니다.',
      en: 'Check a place and submit a photo, counts and observations; suits civic data collection.',
    },
    build: (t) => ({
      template: {
        display: [{ type: 'text', field: 'place', label: t('확인할 장소', 'Place to check') }],
        controls: [
          {
            type: 'multi_choice',
            name: 'issues',
            label: t('보이는 문제 (모두 고르세요)', 'Problems you see (choose all)'),
            options: [t('보도 파손', 'broken pavement'), t('경사로 없음', 'no ramp'), t('통행 장애물', 'obstacle'), t('조명 부족', 'poor lighting')],
            minSelected: 1,
          },
          {
            type: 'number',
            name: 'count',
            label: t('문제 지점 수', 'Number of problem spots'),
            min: 0,
            max: 100,
            integer: true,
          },
          {
            type: 'file',
            name: 'photo',
            label: t('현장 사진', 'Photo of the place'),
            accept: ['image/*'],
            maxBytes: 10 * 1024 * 1024,
          },
          {
            type: 'text',
            name: 'notes',
            label: t('설명 (선택)', 'Notes (optional)'),
            multiline: true,
            maxLength: 2000,
            required: false,
          },
          {
            type: 'email',
            name: 'contact',
            label: t('연락받을 이메일 (선택)', 'Email for follow-up (optional)'),
            required: false,
          },
        ],
      },
      instructions: t(
        '표시된 장소에 직접 가서 보행을 막는 문제를 모두 고르고, 문제 지점 수를 세고, 사진을 한 장 올려 주세요. 사람 얼굴과 차량 번호판이 찍히지 않게 해 주세요.',
        'Go to the place shown, choose every problem that hinders walking, count the problem spots and upload one photo. Keep faces and number plates out of the picture.',
      ),
      sampleItem: { place: t('서울 마포구 월드컵로 240 앞 보도', 'Sidewalk in front of 240 World Cup-ro, Mapo-gu, Seoul') },
      sampleResult: {
        issues: [t('보도 파손', 'broken pavement'), t('조명 부족', 'poor lighting')],
        count: 3,
        photo: 'asset:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        notes: '',
        contact: '',
      },
    }),
  },
];

function materialise(def: Definition, locale: Locale): ReadyTemplate {
  const t = (ko: string, en: string) => (locale === 'ko' ? ko : en);
  const content = def.build(t, locale);
  const checked = validateTemplate(content.template);
  if (!checked.ok) {
    // A programming error in this file; the test suite keeps it from shipping.
    throw new Error(`ready template ${def.id} is invalid: ${JSON.stringify(checked.problems)}`);
  }
  return {
    id: def.id,
    name: def.name,
    description: def.description,
    controlTypes: [...new Set(checked.template.controls.map((c) => c.type))],
    locale,
    template: checked.template,
    instructions: content.instructions,
    sampleItem: content.sampleItem,
    sampleResult: content.sampleResult,
  };
}

/** The gallery: id, names, descriptions and control types of every ready template. */
export const READY_TEMPLATES: readonly ReadyTemplateInfo[] = DEFINITIONS.map((d) => {
  const { id, name, description, controlTypes } = materialise(d, 'en');
  return { id, name, description, controlTypes };
});

/** One ready template in the requester's language (a fresh copy each call), or undefined. */
export function readyTemplate(id: string, locale: Locale = 'ko'): ReadyTemplate | undefined {
  const def = DEFINITIONS.find((d) => d.id === id);
  return def ? materialise(def, locale) : undefined;
}
