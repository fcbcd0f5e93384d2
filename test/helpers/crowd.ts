/**
 * Quality rules for a simulated crowd that answers at machine speed, many accounts from one
 * address: the abuse checks would (rightly) pause every worker. With these they still run (same
 * statements), only their thresholds are out of reach. Set `process.env.DURE_QUALITY_RULES` to it
 * before the app is built.
 */
export const MACHINE_CROWD_QUALITY_RULES = JSON.stringify({
  abuse: {
    burst: { medium: 1e9, high: 1e9 },
    sharedAddress: { medium: 1e9, high: 1e9 },
    sameAnswer: { minAnswers: 1e9 },
    speed: { minTasks: 1e9 },
    agreement: { minCompared: 1e9 },
  },
});
