// Every workflow the lesson-07 worker registers. Workflow code only: no Node modules, no activity
// imports other than `import type`. The four children are lesson 06's reference children, unchanged:
// what lesson 07 changes is the parent.
export { parallelFulfillmentWorkflow } from './parallel-fulfillment';
export {
  inventoryWorkflow,
  notificationWorkflow,
  paymentWorkflow,
  shippingWorkflow,
} from '../../../solution/06-order-fulfillment/workflows';
