import { ActionIcon, Badge, Box as MBox, Group, Loader, Text, Tooltip } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import type { BboxControl, Box, ImageSize } from '@core/templates/index.ts';
import { IconArrowsMaximize, IconZoomIn, IconZoomOut } from '@tabler/icons-react';
import type Konva from 'konva';
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Group as KGroup, Image as KImage, Label as KLabel, Layer, Rect, Stage, Tag, Text as KText, Transformer } from 'react-konva';
import { labelColor, withAlpha } from '../colors';
import { isTypingTarget } from '../keys';

export interface BboxEditorProps {
  control: BboxControl;
  src: string;
  /** The image's natural size from the item data (imageSize); null → the loaded image's own size. */
  size: ImageSize | null;
  boxes: Box[];
  /** Absent → read-only (boxes shown, zoom and pan still work). */
  onChange?: (boxes: Box[]) => void;
  selected: number | null;
  onSelect: (index: number | null) => void;
  /** The label new boxes get. */
  label: string;
  /** Called when the person starts working on this canvas (makes its control the active one). */
  onActivate?: () => void;
  active?: boolean;
  alt: string;
}

const MIN_ZOOM = 1;
const MAX_ZOOM = 12;
/** A drag shorter than this (screen pixels, either side) is a click, not a box. */
const MIN_DRAW_PX = 4;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
/** Natural-pixel coordinates are kept to 1/100 px: exact enough, and no float noise in datasets. */
const r2 = (v: number) => Math.round(v * 100) / 100;

/** A box moved inside the image and rounded: x, y ≥ 0, x + width ≤ W, y + height ≤ H. */
export function fitBox(b: Box, W: number, H: number): Box {
  let width = clamp(b.width, 0.01, W);
  let height = clamp(b.height, 0.01, H);
  const x = r2(clamp(b.x, 0, W - width));
  const y = r2(clamp(b.y, 0, H - height));
  width = r2(Math.min(width, W - x));
  height = r2(Math.min(height, H - y));
  // Rounding must never push the far edge past the image (x + width ≤ W exactly, in floats too).
  while (x + width > W && width > 0.01) width = r2(width - 0.01);
  while (y + height > H && height > 0.01) height = r2(height - 0.01);
  return { x, y, width, height, label: b.label };
}

function useHtmlImage(src: string): { img: HTMLImageElement | null; failed: boolean } {
  const [state, setState] = useState<{ src: string; img: HTMLImageElement | null; failed: boolean }>({ src, img: null, failed: false });
  useEffect(() => {
    const img = new window.Image();
    img.decoding = 'async';
    let live = true;
    img.onload = () => live && setState({ src, img, failed: false });
    img.onerror = () => live && setState({ src, img: null, failed: true });
    img.src = src;
    return () => {
      live = false;
    };
  }, [src]);
  return state.src === src ? state : { img: null, failed: false };
}

interface View {
  zoom: number;
  x: number;
  y: number;
}

/**
 * Boxes on an image, drawn with react-konva. Coordinates live in the image's natural pixels
 * whatever the display scale: the image and the boxes sit in one group scaled by
 * fit × zoom, so every position read from a node is already in natural pixels.
 *
 * Draw: drag on the image. Select: click a box. Move: drag it. Resize: its handles. Delete:
 * Delete/Backspace (the labeling form). Zoom: wheel (or the buttons). Pan: space + drag, or
 * drag with the middle button.
 */
export const BboxEditor = memo(function BboxEditor({ control, src, size, boxes, onChange, selected, onSelect, label, onActivate, active, alt }: BboxEditorProps) {
  const { t } = useTranslation();
  const { img, failed } = useHtmlImage(src);
  const { ref: sizeRef, width: boxWidth } = useElementSize();
  const W = size?.width ?? img?.naturalWidth ?? 0;
  const H = size?.height ?? img?.naturalHeight ?? 0;
  const editable = !!onChange;

  const [maxH, setMaxH] = useState(() => Math.max(240, Math.min(window.innerHeight * 0.55, 760)));
  useEffect(() => {
    const onResize = () => setMaxH(Math.max(240, Math.min(window.innerHeight * 0.55, 760)));
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);

  const fit = W > 0 && H > 0 && boxWidth > 0 ? Math.min(boxWidth / W, maxH / H) : 0;
  const stageW = Math.max(1, Math.floor(W * fit));
  const stageH = Math.max(1, Math.floor(H * fit));

  const [view, setView] = useState<View>({ zoom: 1, x: 0, y: 0 });
  const scale = fit * view.zoom;

  /** Keeps the image covering the stage (no empty margins when zoomed in). */
  const clampView = useCallback(
    (v: View): View => {
      const z = clamp(v.zoom, MIN_ZOOM, MAX_ZOOM);
      const sw = W * fit * z;
      const sh = H * fit * z;
      return { zoom: z, x: clamp(v.x, Math.min(0, stageW - sw), 0), y: clamp(v.y, Math.min(0, stageH - sh), 0) };
    },
    [W, H, fit, stageW, stageH],
  );

  // A new image (next task) starts unzoomed.
  useEffect(() => setView({ zoom: 1, x: 0, y: 0 }), [src]);

  const zoomAt = (factor: number, px: number, py: number) =>
    setView((v) => {
      const z = clamp(v.zoom * factor, MIN_ZOOM, MAX_ZOOM);
      const old = fit * v.zoom;
      const next = fit * z;
      const ix = (px - v.x) / old;
      const iy = (py - v.y) / old;
      return clampView({ zoom: z, x: px - ix * next, y: py - iy * next });
    });

  // ---- space + drag pans ------------------------------------------------------------------
  const [hovered, setHovered] = useState(false);
  const [spaceHeld, setSpaceHeldState] = useState(false);
  // The ref is read by the pointer handlers: a press that follows the key within one frame still pans.
  const spaceHeldRef = useRef(false);
  const setSpaceHeld = (held: boolean) => {
    spaceHeldRef.current = held;
    setSpaceHeldState(held);
  };
  useEffect(() => {
    // Only while the pointer is over the image: elsewhere Space keeps its meaning (press a button, scroll).
    if (!hovered) return;
    const down = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || isTypingTarget(e.target)) return;
      // Space would scroll the page (or press a focused button): here it means "hold to pan".
      e.preventDefault();
      setSpaceHeld(true);
    };
    const up = (e: KeyboardEvent) => {
      if (e.code === 'Space') setSpaceHeld(false);
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      setSpaceHeld(false);
    };
  }, [hovered]);

  // ---- drawing and panning ----------------------------------------------------------------
  const containerRef = useRef<HTMLDivElement>(null);
  const groupRef = useRef<Konva.Group>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const trRef = useRef<Konva.Transformer>(null);
  const rectRefs = useRef<(Konva.Rect | null)[]>([]);
  type Gesture = { kind: 'draw'; x0: number; y0: number; x1: number; y1: number } | { kind: 'pan'; px: number; py: number; vx: number; vy: number };
  const gesture = useRef<Gesture | null>(null);
  const [draft, setDraft] = useState<{ x: number; y: number; width: number; height: number } | null>(null);

  const pointerInImage = (): { x: number; y: number } | null => {
    const p = groupRef.current?.getRelativePointerPosition();
    return p ? { x: clamp(p.x, 0, W), y: clamp(p.y, 0, H) } : null;
  };

  const finishGesture = useCallback(() => {
    const g = gesture.current;
    gesture.current = null;
    setDraft(null);
    if (!g || g.kind !== 'draw' || !onChange) return;
    const x = Math.min(g.x0, g.x1);
    const y = Math.min(g.y0, g.y1);
    const w = Math.abs(g.x1 - g.x0);
    const h = Math.abs(g.y1 - g.y0);
    if (w * scale < MIN_DRAW_PX || h * scale < MIN_DRAW_PX) {
      onSelect(null);
      return;
    }
    if (control.maxBoxes !== undefined && boxes.length >= control.maxBoxes) return;
    const box = fitBox({ x, y, width: w, height: h, label }, W, H);
    onChange([...boxes, box]);
    onSelect(boxes.length);
  }, [onChange, onSelect, scale, boxes, label, W, H, control.maxBoxes]);

  // A drag released outside the canvas still ends (and keeps the box as far as it was drawn).
  useEffect(() => {
    const up = () => gesture.current && finishGesture();
    window.addEventListener('pointerup', up);
    return () => window.removeEventListener('pointerup', up);
  }, [finishGesture]);

  const onPointerDown = (e: Konva.KonvaEventObject<PointerEvent>) => {
    onActivate?.();
    containerRef.current?.focus({ preventScroll: true });
    const stage = stageRef.current;
    const p = stage?.getPointerPosition();
    if (!p) return;
    if (spaceHeldRef.current || e.evt.button === 1) {
      e.evt.preventDefault();
      gesture.current = { kind: 'pan', px: p.x, py: p.y, vx: view.x, vy: view.y };
      return;
    }
    if (e.evt.button !== 0) return;
    const target = e.target;
    const onBox = target.hasName('box');
    const onHandle = target.getParent()?.getClassName() === 'Transformer';
    if (onBox || onHandle) return;
    if (!editable) {
      onSelect(null);
      return;
    }
    const q = pointerInImage();
    if (!q) return;
    gesture.current = { kind: 'draw', x0: q.x, y0: q.y, x1: q.x, y1: q.y };
    setDraft({ x: q.x, y: q.y, width: 0, height: 0 });
  };

  const onPointerMove = () => {
    const g = gesture.current;
    if (!g) return;
    if (g.kind === 'pan') {
      const p = stageRef.current?.getPointerPosition();
      if (p) setView((v) => clampView({ zoom: v.zoom, x: g.vx + (p.x - g.px), y: g.vy + (p.y - g.py) }));
      return;
    }
    const q = pointerInImage();
    if (!q) return;
    g.x1 = q.x;
    g.y1 = q.y;
    setDraft({ x: Math.min(g.x0, g.x1), y: Math.min(g.y0, g.y1), width: Math.abs(g.x1 - g.x0), height: Math.abs(g.y1 - g.y0) });
  };

  const onWheel = (e: Konva.KonvaEventObject<WheelEvent>) => {
    const p = stageRef.current?.getPointerPosition();
    if (!p) return;
    const zoomIn = e.evt.deltaY < 0;
    // Unzoomed and wheeling down: let the page scroll rather than trap the wheel.
    if (!zoomIn && view.zoom <= MIN_ZOOM) return;
    e.evt.preventDefault();
    zoomAt(zoomIn ? 1.15 : 1 / 1.15, p.x, p.y);
  };

  // ---- the transformer follows the selected box --------------------------------------------
  useEffect(() => {
    const tr = trRef.current;
    if (!tr) return;
    const node = selected !== null && editable ? rectRefs.current[selected] : null;
    tr.nodes(node ? [node] : []);
    tr.getLayer()?.batchDraw();
  }, [selected, boxes, editable, scale, view.x, view.y]);

  const update = (i: number, b: Box) => onChange?.(boxes.map((old, j) => (j === i ? fitBox(b, W, H) : old)));

  const cursor = gesture.current?.kind === 'pan' || spaceHeld ? 'grab' : editable ? 'crosshair' : 'default';

  if (failed) {
    return (
      <Text c="red" size="sm">
        {t('labeling.bbox.imageFailed')}
      </Text>
    );
  }

  return (
    <div ref={sizeRef} style={{ width: '100%' }}>
      {!img || fit === 0 ? (
        <Group h={200} justify="center">
          <Loader size="sm" />
        </Group>
      ) : (
        <MBox
          ref={containerRef}
          tabIndex={-1}
          role="img"
          aria-label={t('labeling.bbox.canvasLabel', { alt, n: boxes.length })}
          className="dure-bbox-canvas"
          data-testid={`bbox-canvas-${control.name}`}
          data-natural-width={W}
          data-natural-height={H}
          data-scale={scale}
          data-offset-x={view.x}
          data-offset-y={view.y}
          onPointerEnter={() => setHovered(true)}
          onPointerLeave={() => setHovered(false)}
          data-active={(active && editable) || undefined}
          style={{ position: 'relative', width: stageW, height: stageH, maxWidth: '100%', cursor, touchAction: editable ? 'none' : 'auto', outline: 'none' }}
        >
          <Stage
            ref={stageRef}
            width={stageW}
            height={stageH}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={finishGesture}
            onWheel={onWheel}
            onContextMenu={(e) => e.evt.preventDefault()}
          >
            <Layer>
              <KGroup ref={groupRef} x={view.x} y={view.y} scaleX={scale} scaleY={scale}>
                <KImage image={img} x={0} y={0} width={W} height={H} />
                {boxes.map((b, i) => {
                  const color = labelColor(control.labels, b.label);
                  const isSel = selected === i;
                  return (
                    <Rect
                      key={i}
                      ref={(node) => {
                        rectRefs.current[i] = node;
                      }}
                      name="box"
                      x={b.x}
                      y={b.y}
                      width={b.width}
                      height={b.height}
                      stroke={color}
                      strokeWidth={isSel ? 3 : 2}
                      strokeScaleEnabled={false}
                      fill={withAlpha(color, isSel ? 0.22 : 0.1)}
                      draggable={editable && !spaceHeld}
                      onPointerDown={(e) => {
                        if (spaceHeld || e.evt.button !== 0) return;
                        onSelect(i);
                      }}
                      onDragStart={() => onSelect(i)}
                      onDragMove={(e) => {
                        const n = e.target;
                        n.x(clamp(n.x(), 0, W - b.width));
                        n.y(clamp(n.y(), 0, H - b.height));
                      }}
                      onDragEnd={(e) => update(i, { ...b, x: e.target.x(), y: e.target.y() })}
                      onTransformEnd={(e) => {
                        const n = e.target as Konva.Rect;
                        const w = n.width() * n.scaleX();
                        const h = n.height() * n.scaleY();
                        n.scaleX(1);
                        n.scaleY(1);
                        update(i, { ...b, x: n.x(), y: n.y(), width: w, height: h });
                      }}
                    />
                  );
                })}
                {draft ? (
                  <Rect
                    x={draft.x}
                    y={draft.y}
                    width={draft.width}
                    height={draft.height}
                    stroke={labelColor(control.labels, label)}
                    strokeWidth={2}
                    dash={[6, 4]}
                    strokeScaleEnabled={false}
                    fill={withAlpha(labelColor(control.labels, label), 0.12)}
                    listening={false}
                  />
                ) : null}
              </KGroup>
              {/* Labels in screen pixels so they stay readable at every zoom. */}
              {boxes.map((b, i) => (
                <KLabel key={`l${i}`} x={view.x + b.x * scale} y={Math.max(0, view.y + b.y * scale - 20)} listening={false}>
                  <Tag fill={labelColor(control.labels, b.label)} cornerRadius={3} />
                  <KText text={`${i + 1} ${b.label}`} fontSize={12} padding={4} fill="#fff" fontStyle="bold" />
                </KLabel>
              ))}
              <Transformer
                ref={trRef}
                rotateEnabled={false}
                flipEnabled={false}
                keepRatio={false}
                ignoreStroke
                anchorSize={10}
                anchorCornerRadius={2}
                borderStroke="#1f87b0"
                anchorStroke="#1f87b0"
                boundBoxFunc={(oldBox, nb) => {
                  if (nb.width < MIN_DRAW_PX || nb.height < MIN_DRAW_PX) return oldBox;
                  const left = view.x;
                  const top = view.y;
                  const right = view.x + W * scale;
                  const bottom = view.y + H * scale;
                  const l = Math.max(nb.x, left);
                  const tp = Math.max(nb.y, top);
                  const r = Math.min(nb.x + nb.width, right);
                  const bt = Math.min(nb.y + nb.height, bottom);
                  return { ...nb, x: l, y: tp, width: r - l, height: bt - tp };
                }}
              />
            </Layer>
          </Stage>
          <Group gap={4} className="dure-bbox-zoom" onPointerDown={(e) => e.stopPropagation()}>
            {view.zoom > 1 ? (
              <Badge variant="filled" color="dark" size="sm" radius="sm">
                {Math.round(view.zoom * 100)}%
              </Badge>
            ) : null}
            <Tooltip label={t('labeling.bbox.zoomIn')}>
              <ActionIcon variant="default" size="md" aria-label={t('labeling.bbox.zoomIn')} onClick={() => zoomAt(1.5, stageW / 2, stageH / 2)}>
                <IconZoomIn size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t('labeling.bbox.zoomOut')}>
              <ActionIcon variant="default" size="md" aria-label={t('labeling.bbox.zoomOut')} onClick={() => zoomAt(1 / 1.5, stageW / 2, stageH / 2)}>
                <IconZoomOut size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t('labeling.bbox.fit')}>
              <ActionIcon variant="default" size="md" aria-label={t('labeling.bbox.fit')} onClick={() => setView({ zoom: 1, x: 0, y: 0 })}>
                <IconArrowsMaximize size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </MBox>
      )}
    </div>
  );
});
