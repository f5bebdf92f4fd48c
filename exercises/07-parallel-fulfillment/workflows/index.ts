// Every workflow the worker registers. Workflow code only: no Node modules, no activity imports
// other than `import type`. The four children are lesson 06's, unchanged.
export { parallelFulfillmentWorkflow } from './parallel-fulfillment';
export { paymentWorkflow } from './payment';
export { inventoryWorkflow } from './inventory';
export { shippingWorkflow } from './shipping';
export { notificationWorkflow } from './notification';
