// Every workflow the lesson-03 worker registers. Workflow code only: no Node modules, no activity
// imports other than `import type`.
export { sagaFanOutWorkflow, statusQuery } from './saga-fan-out';
