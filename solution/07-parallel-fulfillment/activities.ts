/**
 * Lesson 07 runs lesson 06's activities unchanged: the same four services, the same idempotency keys,
 * the same retry rules. Only the parent workflow changes (it starts payment and inventory together).
 */
export { createActivities, type Activities } from '../../solution/06-order-fulfillment/activities';
