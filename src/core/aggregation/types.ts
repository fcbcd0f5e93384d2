/**
 * Shared shapes of the truth-inference engine. Everything here is index based: callers map
 * their string ids to dense indices once (see encoder.ts) and the engine works on typed arrays.
 */

/** Categorical answers as parallel arrays, one entry per answer, in arrival order. */
export interface CategoricalAnswers {
  nItems: number;
  nWorkers: number;
  /** Number of possible labels (may exceed the labels actually used). */
  nLabels: number;
  item: Int32Array;
  worker: Int32Array;
  label: Int32Array;
}

export const CATEGORICAL_METHODS = ['mv', 'wmv', 'ds', 'onecoin', 'glad', 'ibcc', 'ebcc', 'bcc'] as const;
export type CategoricalMethod = (typeof CATEGORICAL_METHODS)[number];

export interface CategoricalOptions {
  /**
   * Known answers: `gold[item]` is the true label index, or -1 when the item is not gold.
   * Length nItems. Gold items are clamped: their posterior is one-hot on the gold label and
   * they teach the model about the workers who answered them.
   */
  gold?: Int32Array;
  /** Upper bound on EM / variational iterations (default per method, ~100-500). */
  maxIterations?: number;
  /**
   * Convergence: stop when the objective improves by less than this fraction of itself between
   * iterations (default 1e-6), or once no posterior probability moves by more than 1e-6.
   */
  tolerance?: number;
  /**
   * Warm start for the iterative methods: a previous result's `posterior` (nItems × nLabels,
   * row-major). Rows that are not a distribution (e.g. zeros for items added since) start from
   * the vote shares. Recomputing after a few new answers then takes a few iterations.
   */
  warmStart?: Float64Array;
  /** Seed for the methods that use randomness (EBCC restarts, tie breaking). Default 1. */
  seed?: number;
  /** EBCC: random restarts, the best evidence lower bound is kept (default 5). */
  restarts?: number;
  /** EBCC: subtypes per class (default 10); BCC: the most it tries (default 10). */
  subtypes?: number;
}

export interface CategoricalResult {
  method: CategoricalMethod;
  nItems: number;
  nWorkers: number;
  nLabels: number;
  /** Inferred label per item; -1 when the item has neither answers nor gold. */
  label: Int32Array;
  /** Posterior probability of `label[i]`; 0 when label is -1, 1 for gold items. */
  confidence: Float64Array;
  /** Row-major nItems × nLabels posterior. Rows of unanswered items hold the class prior. */
  posterior: Float64Array;
  /** Estimated share of each true class. */
  classPrior: Float64Array;
  /** Estimated probability that the worker answers an item correctly (0..1); NaN if no answers. */
  workerQuality: Float64Array;
  /** Answers per worker that were used (after removing duplicates). */
  workerAnswers: Int32Array;
  /** Answers per item that were used (after removing duplicates). */
  itemAnswers: Int32Array;
  /**
   * Row-major nWorkers × nLabels × nLabels: confusion[w][k][l] = P(worker w answers l | truth k).
   * Present for the methods that model it (ds, onecoin, ibcc, ebcc, wmv).
   */
  confusion?: Float64Array;
  /** GLAD: worker ability (alpha; > 0 helps, < 0 adversarial). */
  workerSkill?: Float64Array;
  /** GLAD: item easiness (beta > 0; larger = easier). */
  itemEasiness?: Float64Array;
  /** EBCC, BCC: evidence lower bound of the kept fit. */
  elbo?: number;
  /** BCC: the number of subtypes per class the evidence chose (1 = IBCC). */
  subtypes?: number;
  iterations: number;
  converged: boolean;
}
