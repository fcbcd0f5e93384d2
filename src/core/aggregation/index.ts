/**
 * Truth inference: from many noisy answers to one answer with a confidence. Pure code — no
 * database, no HTTP, no I/O. See README.md in this folder.
 */
export * from './types.ts';
export { AnswerEncoder, IdEncoder } from './encoder.ts';
export { AggregationInputError, prepareAnswers, type PreparedAnswers } from './prepare.ts';
export { aggregateCategorical, DEFAULT_METHOD, isCategoricalMethod } from './categorical.ts';
export { majorityVote, weightedMajorityVote } from './majority.ts';
export { dawidSkene } from './dawid-skene.ts';
export { oneCoin } from './one-coin.ts';
export { glad } from './glad.ts';
export { ibcc } from './ibcc.ts';
export { ebcc, type EbccOptions } from './ebcc.ts';
export * from './dynamic-overlap.ts';
export * from './multi-choice.ts';
export * from './number.ts';
export * from './regions.ts';
export * from './text.ts';
