// Every workflow the lesson-02 worker registers. Workflow code only: no Node modules, no activity
// imports other than `import type`.
export { orderProcessingWorkflow } from './order-processing';
