/**
 * The money side of quality decisions, in one place: every call runs inside the caller's
 * transaction and is idempotent per cause (see src/server/modules/payments/work-money.ts).
 * - approve: the author's pending pay becomes available (review, review window, agreement);
 * - reject: final rejection or exclusion: the pay returns to the project's budget;
 * - reviews: reserved when a reviewer takes an annotation, paid with the verdict, released when
 *   the reviewer lets it go or it is cancelled;
 * - leases this module cancels (a removed worker's) give their reservation back to the budget.
 */
export {
  approveAnnotation as payApproved,
  rejectAnnotation as refundRejected,
  reserveForReview,
  releaseReview,
  payReview,
  releaseEndedReservations,
} from '../payments/hooks.ts';
