/** The labeling-form editor (visual + JSON, problems at their JSON paths) and its live preview. */
export { TemplateEditor, type TemplateEditorProps } from './TemplateEditor';
export { TemplatePreview, type TemplatePreviewProps, type PreviewSource } from './TemplatePreview';
export { ProblemIndex, templateProblemText, fieldError } from './problems';
export { asDraft, blankDraft, type Draft } from './draft';
export { previewItem, keepAnswers, PLACEHOLDER_IMAGE } from './sample';
