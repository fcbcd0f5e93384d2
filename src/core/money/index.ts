export * from './arithmetic.ts';
export * from './invariants.ts';
