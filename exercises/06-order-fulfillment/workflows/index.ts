// Every workflow the worker registers. Workflow code only: no Node modules, no activity imports
// other than `import type`.
export { orderFulfillmentWorkflow } from './order-fulfillment';
export { paymentWorkflow } from './payment';
export { inventoryWorkflow } from './inventory';
export { shippingWorkflow } from './shipping';
export { notificationWorkflow } from './notification';
