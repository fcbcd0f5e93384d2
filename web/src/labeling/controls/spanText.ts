import type { Span } from '@core/templates/index.ts';

/**
 * Offsets of span selection in the span editor. The editor renders the text as consecutive
 * `<span data-s data-e>` segments, each holding exactly `text.slice(s, e)` as one text node,
 * so a DOM point (text node, offset) is `s + offset` in UTF-16 code units — the units the
 * server checks (JavaScript string indices into `displayText(value)`). Label tags are CSS
 * pseudo-elements, not text, so they never shift an offset.
 */

export interface Segment {
  start: number;
  end: number;
  /** Indices (into the spans list) of the spans covering this segment, outermost first. */
  covering: number[];
}

/** Cuts [0, text.length) at every span boundary. */
export function segments(textLength: number, spans: readonly Span[]): Segment[] {
  const cuts = new Set<number>([0, textLength]);
  for (const s of spans) {
    if (s.start >= 0 && s.start <= textLength) cuts.add(s.start);
    if (s.end >= 0 && s.end <= textLength) cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const covering = spans
      .map((s, j) => ({ s, j }))
      .filter(({ s }) => s.start <= start && s.end >= end)
      .sort((a, b) => b.s.end - b.s.start - (a.s.end - a.s.start))
      .map(({ j }) => j);
    out.push({ start, end, covering });
  }
  return out;
}

function pointOffset(root: HTMLElement, textLength: number, node: Node, offset: number, side: 'start' | 'end'): number | null {
  if (!root.contains(node)) {
    // The selection runs past the text: clamp to its edge.
    const pos = root.compareDocumentPosition(node);
    if (side === 'start' && pos & Node.DOCUMENT_POSITION_PRECEDING) return 0;
    if (side === 'end' && pos & Node.DOCUMENT_POSITION_FOLLOWING) return textLength;
    return null;
  }
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = node.parentElement?.closest<HTMLElement>('[data-s]');
    if (!seg || !root.contains(seg)) return null;
    return Number(seg.dataset.s) + offset;
  }
  const el = node as HTMLElement;
  if (el.dataset && el.dataset.s !== undefined) return offset === 0 ? Number(el.dataset.s) : Number(el.dataset.e);
  // An element above the segments: `offset` counts its children.
  const children = Array.from(el.childNodes);
  for (let i = offset; i < children.length; i++) {
    const c = children[i]!;
    const seg = c instanceof HTMLElement ? (c.dataset.s !== undefined ? c : c.querySelector<HTMLElement>('[data-s]')) : null;
    if (seg) return Number(seg.dataset.s);
  }
  return textLength;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The current selection as [start, end) offsets into `text`, or null when nothing (or nothing
 * but white space) of this text is selected. White space at either end is left out (a double
 * click selects the word and its trailing space); never ends between the halves of a character.
 */
export function selectionOffsets(root: HTMLElement, text: string): { start: number; end: number } | null {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!range.intersectsNode(root)) return null;
  let start = pointOffset(root, text.length, range.startContainer, range.startOffset, 'start');
  let end = pointOffset(root, text.length, range.endContainer, range.endOffset, 'end');
  if (start === null || end === null) return null;
  start = Math.max(0, Math.min(start, text.length));
  end = Math.max(0, Math.min(end, text.length));
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (start > 0 && start < text.length && isLow(text.charCodeAt(start)) && isHigh(text.charCodeAt(start - 1))) start--;
  if (end > 0 && end < text.length && isLow(text.charCodeAt(end)) && isHigh(text.charCodeAt(end - 1))) end++;
  return end > start ? { start, end } : null;
}

export type AddSpanOutcome = { ok: true; spans: Span[]; index: number } | { ok: false; reason: 'overlap' | 'duplicate' };

/**
 * Adds a labeled range. Selecting exactly an existing span and giving it another label relabels
 * it; an identical span is a duplicate; without `allowOverlap` a range crossing another is refused.
 * The list stays sorted by start, then end.
 */
export function addSpan(spans: readonly Span[], next: Span, allowOverlap: boolean): AddSpanOutcome {
  const same = spans.findIndex((s) => s.start === next.start && s.end === next.end);
  if (same >= 0 && spans[same]!.label === next.label) return { ok: false, reason: 'duplicate' };
  if (same >= 0 && !allowOverlap) {
    const out = spans.map((s, i) => (i === same ? { ...s, label: next.label } : s));
    return { ok: true, spans: out, index: same };
  }
  if (!allowOverlap && spans.some((s) => s.start < next.end && next.start < s.end)) return { ok: false, reason: 'overlap' };
  const out = [...spans, next].sort((a, b) => a.start - b.start || a.end - b.end);
  return { ok: true, spans: out, index: out.indexOf(next) };
}
