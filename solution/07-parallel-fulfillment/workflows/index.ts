// Every workflow the lesson-07 worker registers. Workflow code only: no Node modules, no activity
// imports other than `import type`. The four children are lesson 06's reference children, given here
// as copies (tests/unit/lesson-copies.test.ts keeps them identical): what lesson 07 changes is the parent.
export { parallelFulfillmentWorkflow } from './parallel-fulfillment';
export { inventoryWorkflow } from './inventory';
export { notificationWorkflow } from './notification';
export { paymentWorkflow } from './payment';
export { shippingWorkflow } from './shipping';
