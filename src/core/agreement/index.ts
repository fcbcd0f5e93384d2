export type { AgreementResult, CountTable, Rating } from './types.ts';
export { countTable, tableFromReliabilityData } from './table.ts';
export { fleissKappa } from './fleiss.ts';
export { krippendorffAlphaNominal } from './krippendorff.ts';
export { controlAgreement, type ControlAgreement, type AnswerForAgreement } from './controls.ts';
