/** The labeling form and its pieces, shared by the labeling page, the review screen and the form editor's preview. */
export { LabelingForm, type LabelingFormProps } from './LabelingForm';
export { ItemDisplay, DisplayValue, ItemText, type ItemDisplayProps } from './ItemDisplay';
export { Markdown } from './Markdown';
export { problemsByControl, problemText, hasProblems, type ProblemsByControl, type ControlProblem } from './problems';
export { assetUrl, mediaUrl, imageUrls, preloadImages } from './media';
export { labelColor, withAlpha, LABEL_COLORS } from './colors';
export { isTypingTarget, isComposing, digitKey } from './keys';
export type { ControlProps, FileUploader, UploadedFile } from './types';
export { SpanEditor } from './controls/SpanEditor';
export { segments, selectionOffsets, addSpan } from './controls/spanText';
