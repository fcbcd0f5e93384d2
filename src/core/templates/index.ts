/** Labeling forms: model, validation of templates and results, ready templates, helpers. */
export * from './types.ts';
export * from './pointer.ts';
export * from './media.ts';
export * from './helpers.ts';
export * from './validate-template.ts';
export * from './validate-result.ts';
export * from './ready-templates.ts';
