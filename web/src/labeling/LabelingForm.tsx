import { Badge, Grid, Group, Kbd, Loader, Paper, Stack, Text } from '@mantine/core';
import {
  controlOptionsForKeys,
  displayText,
  imageSize,
  PAIRWISE_EQUAL,
  readField,
  type BboxControl,
  type Box,
  type Control,
  type DisplayField,
  type ItemData,
  type PairwiseControl,
  type Result,
  type ResultValue,
  type Span,
  type SpanControl,
  type Template,
} from '@core/templates/index.ts';
import { lazy, Suspense, useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
// The box editor brings Konva (~0.3 MB): loaded when a form first shows an image to box, not with the app.
const BboxEditor = lazy(() => import('./controls/BboxEditor').then((m) => ({ default: m.BboxEditor })));
import { BboxPanel } from './controls/BboxPanel';
import { MultiChoiceInput, PairwiseInput, RatingInput, SingleChoiceInput, toggleMulti } from './controls/ChoiceControls';
import { FileAnswer } from './controls/FileControl';
import { SpanEditor } from './controls/SpanEditor';
import { SpanPanel } from './controls/SpanPanel';
import { addSpan, selectionOffsets } from './controls/spanText';
import { EmailAnswer, NumberAnswer, TextAnswer } from './controls/TextControls';
import { ItemDisplay } from './ItemDisplay';
import { digitKey, hasMod, isComposing, isTypingTarget } from './keys';
import { mediaUrl } from './media';
import { problemText, type ControlProblem, type ProblemsByControl } from './problems';
import type { FileUploader } from './types';
import './labeling.css';

export interface LabelingFormProps {
  template: Template;
  data: ItemData;
  /** The answer so far (start from `defaultResult(template)`). */
  value: Result;
  /** Absent, or `readOnly`: the item and the answer are shown exactly, nothing can change. */
  onChange?: (next: Result) => void;
  readOnly?: boolean;
  /** Problems per control name (`problemsByControl`), drawn next to their controls. */
  problems?: ProblemsByControl;
  /**
   * `window`: number keys, a/b/e, Delete… work wherever the focus is (the labeling page);
   * `none`: mouse, touch and Tab only (a preview inside another page).
   */
  keyboard?: 'window' | 'none';
  /** Uploads for file controls (absent: the file control says it works only in a real task). */
  upload?: FileUploader;
  /** Told which control number keys go to now (for the key-hint bar). */
  onActiveChange?: (control: Control | null) => void;
  /** `split`: item left, controls right from md up; `stack`: one column (narrow previews). */
  layout?: 'split' | 'stack';
  /** Focus the first control on mount (the labeling page). */
  autoFocus?: boolean;
}

interface BboxUi {
  label: string;
  selected: number | null;
}
interface SpanUi {
  label: string;
  notice: string | null;
  hover: number | null;
}

const NO_BOXES: Box[] = [];
const NO_SPANS: Span[] = [];
const asBoxes = (v: unknown): Box[] => (Array.isArray(v) ? (v as Box[]) : NO_BOXES);
const asSpans = (v: unknown): Span[] => (Array.isArray(v) ? (v as Span[]) : NO_SPANS);

interface Handlers {
  change: (v: ResultValue) => void;
  select: (i: number | null) => void;
  activate: () => void;
  root: (el: HTMLDivElement | null) => void;
}

/**
 * The labeling form: the item as the template displays it, with the box editor on a bbox
 * control's image and the span editor on a span control's text, and one card per control.
 * Controlled (`value`/`onChange`); the same component draws a task for a worker, an answer for a
 * reviewer (`readOnly`) and the requester's live preview — so all three see exactly the same.
 */
export function LabelingForm({
  template,
  data,
  value,
  onChange,
  readOnly: readOnlyProp,
  problems = {},
  keyboard = 'none',
  upload,
  onActiveChange,
  layout = 'split',
  autoFocus,
}: LabelingFormProps) {
  const { t } = useTranslation();
  const readOnly = readOnlyProp || !onChange;
  const controls = template.controls;
  const uid = useId();

  const [active, setActive] = useState(0);
  const [bboxUi, setBboxUi] = useState<Record<string, BboxUi>>({});
  const [spanUi, setSpanUi] = useState<Record<string, SpanUi>>({});
  const cardRefs = useRef<(HTMLDivElement | null)[]>([]);
  const spanRoots = useRef<Record<string, HTMLDivElement | null>>({});

  // Latest value for handlers that outlive a render (window listeners).
  const valueRef = useRef(value);
  valueRef.current = value;

  const set = useCallback(
    (name: string, v: ResultValue) => {
      if (readOnly) return;
      onChange?.({ ...valueRef.current, [name]: v });
    },
    [onChange, readOnly],
  );

  const bbox = (c: BboxControl): BboxUi => bboxUi[c.name] ?? { label: c.labels[0] ?? '', selected: null };
  const setBbox = (c: BboxControl, patch: Partial<BboxUi>) =>
    setBboxUi((m) => ({ ...m, [c.name]: { ...(m[c.name] ?? { label: c.labels[0] ?? '', selected: null }), ...patch } }));
  const span = (c: SpanControl): SpanUi => spanUi[c.name] ?? { label: c.labels[0] ?? '', notice: null, hover: null };
  const setSpan = (c: SpanControl, patch: Partial<SpanUi>) =>
    setSpanUi((m) => ({ ...m, [c.name]: { ...(m[c.name] ?? { label: c.labels[0] ?? '', notice: null, hover: null }), ...patch } }));

  useEffect(() => onActiveChange?.(controls[active] ?? null), [active, controls, onActiveChange]);

  // Stable per-control handlers, so the canvas and the span text (memoised) redraw only when
  // their own answer changes, not on every key typed elsewhere in the form.
  const latest = useRef({ set, setBbox, setActive });
  latest.current = { set, setBbox, setActive };
  const handlers = useMemo(() => {
    const m: Record<string, Handlers> = {};
    controls.forEach((c, i) => {
      m[c.name] = {
        change: (v: ResultValue) => latest.current.set(c.name, v),
        select: (sel) => c.type === 'bbox' && latest.current.setBbox(c, { selected: sel }),
        activate: () => latest.current.setActive(i),
        root: (el) => {
          spanRoots.current[c.name] = el;
        },
      };
    });
    return m;
  }, [controls]);
  const sizes = useMemo(
    () => Object.fromEntries(controls.filter((c) => c.type === 'bbox').map((c) => [c.name, imageSize(data, (c as BboxControl).imageField)])),
    [controls, data],
  );

  const focusControl = useCallback((i: number, scroll = true) => {
    const card = cardRefs.current[i];
    if (!card) return;
    setActive(i);
    const target = card.querySelector<HTMLElement>('[data-primary-focus]') ?? card;
    target.focus({ preventScroll: true });
    if (scroll) card.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, []);

  useEffect(() => {
    if (autoFocus && !readOnly && controls.length > 0) focusControl(0, false);
    // Only on mount: a new task mounts a new form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Problems just arrived (a refused submit): go to the first control that has one.
  const problemKey = Object.entries(problems)
    .filter(([, l]) => l.length)
    .map(([k]) => k)
    .join('|');
  useEffect(() => {
    if (!problemKey) return;
    const i = controls.findIndex((c) => (problems[c.name]?.length ?? 0) > 0);
    if (i >= 0) focusControl(i);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [problems]);

  /** Tags the text selected in a span control's text with `label`; false if nothing is selected there. */
  const tagSelection = useCallback(
    (c: SpanControl, label: string): boolean => {
      const root = spanRoots.current[c.name];
      const text = displayText(readField(data, c.textField));
      const sel = root ? selectionOffsets(root, text) : null;
      if (!sel) return false;
      const outcome = addSpan(asSpans(valueRef.current[c.name]), { start: sel.start, end: sel.end, label }, c.allowOverlap);
      if (outcome.ok) {
        set(c.name, outcome.spans);
        setSpan(c, { label, notice: null });
        window.getSelection()?.removeAllRanges();
      } else {
        setSpan(c, { label, notice: outcome.reason === 'overlap' ? t('labeling.span.overlap') : t('labeling.span.duplicate') });
      }
      setActive(controls.indexOf(c));
      return true;
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data, set, t, controls],
  );

  /** What a control's number key (or pairwise letter) does. Returns whether to move on. */
  const applyKey = (c: Control, v: string | number): boolean => {
    const current = valueRef.current[c.name];
    switch (c.type) {
      case 'single_choice':
      case 'rating':
      case 'pairwise':
        set(c.name, v);
        return true;
      case 'multi_choice':
        set(c.name, toggleMulti(c, current, String(v)));
        return false;
      case 'bbox': {
        const ui = bbox(c);
        setBbox(c, { label: String(v) });
        const boxes = asBoxes(current);
        if (ui.selected !== null && boxes[ui.selected]) set(c.name, boxes.map((b, j) => (j === ui.selected ? { ...b, label: String(v) } : b)));
        return false;
      }
      case 'span':
        if (!tagSelection(c, String(v))) setSpan(c, { label: String(v), notice: t('labeling.span.selectFirst') });
        return false;
      default:
        return false;
    }
  };

  // ---- the keyboard ---------------------------------------------------------------------------
  const keyHandler = useRef<(e: KeyboardEvent) => void>(() => {});
  keyHandler.current = (e: KeyboardEvent) => {
    if (readOnly || e.defaultPrevented || isComposing(e)) return;
    // Escape leaves a text field, so the keys work again.
    if (e.key === 'Escape' && isTypingTarget(e.target)) {
      const card = (e.target as HTMLElement).closest<HTMLElement>('[data-control-card]');
      (e.target as HTMLElement).blur();
      card?.focus({ preventScroll: true });
      return;
    }
    if (e.altKey || hasMod(e) || isTypingTarget(e.target)) return;
    const digit = digitKey(e);
    if (digit) {
      // Text selected in a span control's text: the key tags it, whichever control is active.
      for (const c of controls) {
        if (c.type !== 'span') continue;
        const opt = controlOptionsForKeys(c).find((o) => o.key === digit);
        if (opt && tagSelection(c, String(opt.value))) {
          e.preventDefault();
          return;
        }
      }
      const c = controls[active];
      if (!c) return;
      const opt = controlOptionsForKeys(c).find((o) => o.key === digit);
      if (!opt) return;
      e.preventDefault();
      if (applyKey(c, opt.value) && active + 1 < controls.length) focusControl(active + 1);
      return;
    }
    const letter = e.key.toLowerCase();
    if (letter === 'a' || letter === 'b' || letter === 'e') {
      const activeControl = controls[active];
      const c = (activeControl?.type === 'pairwise' ? activeControl : controls.find((x) => x.type === 'pairwise')) as PairwiseControl | undefined;
      if (!c) return;
      const v = letter === 'a' ? c.fields[0] : letter === 'b' ? c.fields[1] : c.allowEqual ? PAIRWISE_EQUAL : null;
      if (v === null) return;
      e.preventDefault();
      set(c.name, v);
      const i = controls.indexOf(c);
      if (i + 1 < controls.length) focusControl(i + 1);
      else setActive(i);
      return;
    }
    const c = controls[active];
    if (c?.type !== 'bbox') return;
    const ui = bbox(c);
    const boxes = asBoxes(valueRef.current[c.name]);
    if (ui.selected === null || !boxes[ui.selected]) return;
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      set(
        c.name,
        boxes.filter((_, j) => j !== ui.selected),
      );
      setBbox(c, { selected: null });
    } else if (e.key === 'Escape') {
      setBbox(c, { selected: null });
    } else if (e.key.startsWith('Arrow') && !(e.target as HTMLElement | null)?.closest?.('[role=radiogroup],[role=group]')) {
      // Nudge the selected box by a natural pixel (10 with Shift).
      const size = imageSize(data, c.imageField);
      const step = e.shiftKey ? 10 : 1;
      const b = boxes[ui.selected]!;
      const dx = e.key === 'ArrowLeft' ? -step : e.key === 'ArrowRight' ? step : 0;
      const dy = e.key === 'ArrowUp' ? -step : e.key === 'ArrowDown' ? step : 0;
      const W = size?.width ?? Infinity;
      const H = size?.height ?? Infinity;
      e.preventDefault();
      set(
        c.name,
        boxes.map((x, j) =>
          j === ui.selected ? { ...x, x: Math.min(Math.max(0, x.x + dx), W - x.width), y: Math.min(Math.max(0, x.y + dy), H - x.height) } : x,
        ),
      );
    }
  };
  useEffect(() => {
    if (keyboard !== 'window' || readOnly) return;
    const h = (e: KeyboardEvent) => keyHandler.current(e);
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, [keyboard, readOnly]);

  // ---- the item, with editors on the fields controls work on -----------------------------------
  const renderEntry = (entry: DisplayField): ReactNode | undefined => {
    if (entry.type === 'image') {
      const bboxes = controls.filter((c): c is BboxControl => c.type === 'bbox' && c.imageField === entry.field);
      if (bboxes.length === 0) return undefined;
      const src = mediaUrl(readField(data, entry.field));
      if (!src) return undefined;
      return (
        <Stack gap="md">
          {bboxes.map((c) => {
            const ui = bbox(c);
            return (
              <div key={c.name}>
                {bboxes.length > 1 ? (
                  <Text size="sm" fw={600} mb={4}>
                    {c.label ?? c.name}
                  </Text>
                ) : null}
                <Suspense
                  fallback={
                    <Group h={200} justify="center">
                      <Loader size="sm" />
                    </Group>
                  }
                >
                <BboxEditor
                  control={c}
                  src={src}
                  size={sizes[c.name] ?? null}
                  boxes={asBoxes(value[c.name])}
                  onChange={readOnly ? undefined : handlers[c.name]!.change}
                  selected={ui.selected}
                  onSelect={handlers[c.name]!.select}
                  label={ui.label}
                  active={controls[active] === c}
                  onActivate={handlers[c.name]!.activate}
                  alt={entry.label ?? entry.field}
                />
                </Suspense>
              </div>
            );
          })}
        </Stack>
      );
    }
    if (entry.type === 'text') {
      const spans = controls.filter((c): c is SpanControl => c.type === 'span' && c.textField === entry.field);
      if (spans.length === 0) return undefined;
      const text = displayText(readField(data, entry.field));
      // Nothing to tag: the plain display says the field is empty.
      if (text === '') return undefined;
      return (
        <Stack gap="md">
          {spans.map((c) => (
            <div key={c.name}>
              {spans.length > 1 ? (
                <Text size="sm" fw={600} mb={4}>
                  {c.label ?? c.name}
                </Text>
              ) : null}
              <SpanEditor
                control={c}
                text={text}
                spans={asSpans(value[c.name])}
                onChange={readOnly ? undefined : handlers[c.name]!.change}
                rootRef={handlers[c.name]!.root}
                onActivate={handlers[c.name]!.activate}
                highlight={span(c).hover}
              />
            </div>
          ))}
        </Stack>
      );
    }
    return undefined;
  };

  // ---- one card per control ----------------------------------------------------------------
  const card = (c: Control, i: number) => {
    const list = problems[c.name] ?? [];
    const invalid = list.length > 0;
    const label = c.label ?? c.name;
    const descId = `${uid}-${i}-desc`;
    const inputId = `${uid}-${i}-input`;
    const common = { value: value[c.name], onChange: readOnly ? undefined : (v: ResultValue) => set(c.name, v), readOnly, invalid, label, describedBy: descId, inputId };
    let body: ReactNode;
    switch (c.type) {
      case 'single_choice':
        body = <SingleChoiceInput control={c} {...common} />;
        break;
      case 'multi_choice':
        body = <MultiChoiceInput control={c} {...common} />;
        break;
      case 'rating':
        body = <RatingInput control={c} {...common} />;
        break;
      case 'pairwise':
        body = <PairwiseInput control={c} {...common} />;
        break;
      case 'text':
        body = <TextAnswer control={c} {...common} />;
        break;
      case 'number':
        body = <NumberAnswer control={c} {...common} />;
        break;
      case 'email':
        body = <EmailAnswer control={c} {...common} />;
        break;
      case 'file':
        body = <FileAnswer control={c} {...common} upload={upload} />;
        break;
      case 'bbox': {
        const ui = bbox(c);
        body = (
          <BboxPanel
            control={c}
            boxes={asBoxes(value[c.name])}
            onChange={readOnly ? undefined : (b) => set(c.name, b)}
            selected={ui.selected}
            onSelect={(s) => setBbox(c, { selected: s })}
            label={ui.label}
            onLabel={(l) => setBbox(c, { label: l })}
            invalid={invalid}
            describedBy={descId}
            boxProblems={indexSet(list)}
          />
        );
        break;
      }
      case 'span': {
        const ui = span(c);
        body = (
          <SpanPanel
            control={c}
            text={displayText(readField(data, c.textField))}
            spans={asSpans(value[c.name])}
            onChange={readOnly ? undefined : (s) => set(c.name, s)}
            label={ui.label}
            onLabel={(l) => {
              if (!tagSelection(c, l)) setSpan(c, { label: l, notice: t('labeling.span.selectFirst') });
            }}
            notice={ui.notice}
            invalid={invalid}
            describedBy={descId}
            onHover={(h) => setSpan(c, { hover: h })}
            spanProblems={indexSet(list)}
          />
        );
        break;
      }
    }
    const isActive = !readOnly && active === i;
    return (
      <Paper
        key={c.name}
        ref={(el: HTMLDivElement | null) => {
          cardRefs.current[i] = el;
        }}
        withBorder
        p={{ base: 'sm', sm: 'md' }}
        tabIndex={-1}
        data-control-card=""
        data-control={c.name}
        data-control-type={c.type}
        data-active={isActive || undefined}
        data-invalid={invalid || undefined}
        className="dure-control-card"
        onFocusCapture={() => !readOnly && setActive(i)}
        onPointerDownCapture={() => !readOnly && setActive(i)}
        role="group"
        aria-labelledby={`${uid}-${i}-label`}
      >
        <Group justify="space-between" align="flex-start" gap="xs" mb={6} wrap="nowrap">
          <Text component="label" htmlFor={['text', 'number', 'email'].includes(c.type) ? inputId : undefined} id={`${uid}-${i}-label`} fw={700} size="md">
            <Text component="span" c="dimmed" fw={500} mr={6}>
              {i + 1}.
            </Text>
            {label}
            {c.required ? (
              <Text component="span" c="red.7" ml={4} aria-label={t('labeling.required')}>
                *
              </Text>
            ) : (
              <Badge ml={8} size="xs" variant="light" color="gray">
                {t('labeling.optional')}
              </Badge>
            )}
          </Text>
          {isActive && controlOptionsForKeys(c).length > 0 ? (
            <Group gap={4} wrap="nowrap" visibleFrom="sm" aria-hidden>
              <Kbd size="xs">1</Kbd>
              <Text size="xs" c="dimmed">
                –
              </Text>
              <Kbd size="xs">{controlOptionsForKeys(c).at(-1)!.key}</Kbd>
            </Group>
          ) : null}
        </Group>
        <div id={descId}>
          {c.description ? (
            <Text size="sm" c="dimmed" mb="xs" className="dure-item-text">
              {c.description}
            </Text>
          ) : null}
        </div>
        {body}
        {invalid ? <ProblemList problems={list} control={c} /> : null}
      </Paper>
    );
  };

  const pairwiseValues = useMemo(() => Object.fromEntries(controls.filter((c) => c.type === 'pairwise').map((c) => [c.name, value[c.name]])), [controls, value]);
  const wholeProblems = problems[''] ?? [];

  const display = (
    <Paper withBorder p={{ base: 'sm', sm: 'lg' }} className="dure-item-panel" data-testid="item-panel">
      <ItemDisplay template={template} data={data} renderEntry={renderEntry} pairwise={pairwiseValues} />
    </Paper>
  );
  const cards = (
    <Stack gap="sm" data-testid="controls">
      {controls.map(card)}
      {wholeProblems.length ? (
        <Text c="red" size="sm" role="alert">
          {wholeProblems.map((p) => problemText(p.problem, t)).join(' ')}
        </Text>
      ) : null}
    </Stack>
  );

  if (layout === 'stack') {
    return (
      <Stack gap="md">
        {display}
        {cards}
      </Stack>
    );
  }
  const wide = controls.some((c) => c.type === 'bbox') || template.layout === 'columns' || controls.some((c) => c.type === 'pairwise');
  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: wide ? 8 : 7 }}>
        {/* On wide screens the item stays in view while the controls scroll past it. */}
        <div className="dure-display-sticky">{display}</div>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: wide ? 4 : 5 }}>{cards}</Grid.Col>
    </Grid>
  );
}

function indexSet(list: ControlProblem[]): Set<number> {
  const s = new Set<number>();
  for (const p of list) {
    const m = /^\/(\d+)/.exec(p.at);
    if (m) s.add(Number(m[1]));
  }
  return s;
}

function ProblemList({ problems, control }: { problems: ControlProblem[]; control: Control }) {
  const { t } = useTranslation();
  const what = control.type === 'bbox' ? 'box' : control.type === 'span' ? 'span' : control.type === 'multi_choice' ? 'option' : null;
  return (
    <Stack gap={2} mt={8} role="alert" data-testid={`problems-${control.name}`}>
      {problems.map((p, k) => {
        const m = /^\/(\d+)/.exec(p.at);
        const prefix = m && what ? `${t(`labeling.problem.${what}`, { n: Number(m[1]) + 1 })}: ` : '';
        return (
          <Text key={k} size="sm" c="red.7">
            {prefix}
            {problemText(p.problem, t)}
          </Text>
        );
      })}
    </Stack>
  );
}
