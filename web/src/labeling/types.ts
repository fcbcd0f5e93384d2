import type { Control, ResultValue } from '@core/templates/index.ts';

/** What every control component takes: the control, its value, and a change handler. */
export interface ControlProps<C extends Control = Control> {
  control: C;
  value: ResultValue | undefined;
  /** Absent or `readOnly` → the control only shows its value (review screen, previews). */
  onChange?: (value: ResultValue) => void;
  readOnly?: boolean;
  /** The control has a problem (drawn red, announced). */
  invalid?: boolean;
  /** Accessible name (the control's label or name). */
  label: string;
  /** id of the element describing the control (description and problems), for aria-describedby. */
  describedBy?: string;
  /** id for the input element (text-like controls), so its label points at it. */
  inputId?: string;
}

/** A file a `file` control uploaded: the asset reference goes in the answer, the rest is shown. */
export interface UploadedFile {
  asset: string;
  mime: string;
  size: number;
  name: string | null;
}

/** Uploads one file for a file control; reports progress 0..1. */
export type FileUploader = (file: File, onProgress?: (share: number) => void) => Promise<UploadedFile>;
