/**
 * One colour per label, by the label's position in the control's list, so a label keeps its
 * colour on the labeling screen, the review screen and the form editor's preview. Chosen to
 * stay apart from each other and readable behind dark text at low opacity.
 */
export const LABEL_COLORS = [
  '#e8590c', // orange
  '#1c7ed6', // blue
  '#2f9e44', // green
  '#c2255c', // pink
  '#7048e8', // violet
  '#0c8599', // cyan
  '#e67700', // yellow-dark
  '#5c940d', // lime
  '#d6336c', // rose
  '#495057', // grey
] as const;

export function labelColor(labels: readonly string[], label: string): string {
  const i = labels.indexOf(label);
  return LABEL_COLORS[(i < 0 ? labels.length : i) % LABEL_COLORS.length]!;
}

/** `#rrggbb` at `alpha` as an rgba() string (for fills and text highlights). */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
