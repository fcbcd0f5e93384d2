export * from './rules.ts';
export * from './levels.ts';
export * from './gold-gate.ts';
export * from './abuse.ts';
export * from './review-policy.ts';
export * from './qualification.ts';
export { binomialPmf, binomialUpperTail, binomialLowerTail, logGamma, median } from './stats.ts';
export { mulberry32 } from './prng.ts';
