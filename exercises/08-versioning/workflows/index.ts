// The build a worker runs when ORDER_BUILD names none (shared.ts DEFAULT_BUILD). Each build is one
// file (v1.ts … v4.ts) registering the same workflow type, orderFlowWorkflow; worker.ts bundles the one
// ORDER_BUILD names. Workflow code only: no Node modules, no activity imports other than `import type`.
export { orderFlowWorkflow } from './v2';
