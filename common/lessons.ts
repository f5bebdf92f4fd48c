/**
 * The lesson manifest: what each lesson is. Scripts, the grader, the tests and the docs checks all
 * read it; adding a lesson means adding one entry here plus its folders (original/, solution/,
 * exercises/ and its doc page).
 *
 * Plain data and pure functions only: lesson code, the test harness and the CLIs may all import it.
 */

export type LessonId = '02' | '03' | '06' | '07' | '08';

/** A child workflow of a parent-and-children lesson: one per step of the order, named by that step. */
export type ChildKind = 'payment' | 'inventory' | 'shipping' | 'notification';

export interface CriterionSpec {
  /** Stable ID, e.g. `06-children-in-order`. */
  id: string;
  /** The Part of the lesson that makes this criterion pass. */
  part: string;
  title: string;
  hint: string;
}

export interface PartSpec {
  title: string;
}

export interface LessonSpec {
  id: LessonId;
  title: string;
  /** The folder name under original/, solution/ and exercises/. */
  folder: string;
  /** The "before" code, relative to the repository root; it exports `runOrder(order, services, logger)`. */
  original: string;
  /** How `npm run original` names it: `Original monolith (lesson 06)`. */
  originalTitle: string;
  /** What it is, for `npm run original -- --help`. */
  originalSummary: string;
  /** The step-by-step page, relative to the repository root. Each Part has a `## Part X: <title>` section. */
  doc: string;
  /** About how long the lesson takes a newcomer, for the README. */
  minutes: number;
  /** What the learner builds, in one line. */
  summary: string;
  /** The task queue its worker polls (the lesson's shared.ts exports the same value as TASK_QUEUE). */
  taskQueue: string;
  /** The workflow a client starts for one order. */
  workflowType: string;
  /** Its workflow ID prefix: `order-` gives `order-ORDER-001`. */
  workflowIdPrefix: string;
  /**
   * What a child's workflow ID carries between its kind and the order ID: `07-` gives
   * `payment-07-ORDER-001`. Lesson 06 keeps the seed's `payment-ORDER-001`; every other lesson tags its
   * IDs, so lessons never collide on one server.
   */
  childIdTag: string;
  /** Child workflow kinds, in the order the lesson runs them (none for a single-workflow lesson). */
  children: readonly ChildKind[];
  /** The seed's fault rates, used when ORDER_FAULTS is not set. */
  defaultFaults: string;
  parts: Record<string, PartSpec>;
  criteria: CriterionSpec[];
}

export const LESSONS: Record<LessonId, LessonSpec> = {
  '02': {
    id: '02',
    title: 'Order processing: from naive retry loops to activities with retry policies',
    folder: '02-order-processing',
    original: 'original/02-order-processing/order-processor.ts',
    originalTitle: 'Original order processor',
    originalSummary: 'the order processor with naive retry loops (no cleanup)',
    doc: 'docs/02-order-processing.md',
    minutes: 45,
    summary:
      'one workflow running four activities in order (validate, payment, inventory, shipment) with a retry policy ' +
      'instead of naive retry loops, non-retryable business errors, and the shipping quote as workflow logic',
    taskQueue: 'order-processing',
    workflowType: 'orderProcessingWorkflow',
    workflowIdPrefix: 'order-processing-',
    childIdTag: '',
    children: [],
    defaultFaults: 'payment=0.2,inventory=0.15,shipping=0.1',
    parts: {
      A: { title: 'Activities that call the services' },
      B: { title: 'Totals and the shipping quote as workflow logic' },
      C: { title: 'A workflow that runs the activities in order' },
      D: { title: 'Retry policies and non-retryable business errors' },
    },
    criteria: [
      {
        id: '02-one-call-per-attempt',
        part: 'A',
        title:
          'Each activity calls its service once per attempt and lets errors escape (no retry loop inside an activity)',
        hint: 'An activity calls its service once through call(() => …) and returns; the retry policy does the retrying. A loop inside an activity hides attempts from Temporal.',
      },
      {
        id: '02-totals-in-workflow',
        part: 'B',
        title:
          'The total and the shipping quote are workflow logic, not activities: the charge equals the order total and the result carries the quote',
        hint: 'Write shippingQuote(items) in shared.ts as a pure function; the workflow computes orderTotalCents(order.items) and shippingQuote(order.items) itself, with no calculateTotal activity.',
      },
      {
        id: '02-happy-path',
        part: 'C',
        title:
          'With no faults the order completes: validated once, charged once for the order total, one reservation, one shipment',
        hint: 'Run validateOrder, chargePayment, reserveInventory and arrangeShipment with the order’s data and idempotencyKey(step, orderId), and return the OrderResult.',
      },
      {
        id: '02-activities-in-order',
        part: 'C',
        title:
          'Activities run strictly in order validateOrder → chargePayment → reserveInventory → arrangeShipment (read from the workflow’s event history)',
        hint: 'await each activity before calling the next; Promise.all or a missing await starts them together.',
      },
      {
        id: '02-retry-policy',
        part: 'D',
        title:
          'Every activity has a retry policy of 3 attempts with backoff, visible in the history: inventory failing twice is retried and the order completes on attempt 3',
        hint: "proxyActivities({ startToCloseTimeout, retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumAttempts: 3 } }), and in call() rethrow a transient error as it is: only a business error becomes non-retryable.",
      },
      {
        id: '02-retries-capped',
        part: 'D',
        title:
          'Retries are capped and visible: when inventory always fails, the order fails after exactly 3 inventory calls and the history shows attempt 3 failing',
        hint: 'Set maximumAttempts: 3 (without it Temporal retries forever and the order never ends), and make only business errors non-retryable: an outage or a timeout rethrown as it is gets its 3 attempts.',
      },
      {
        id: '02-business-errors-not-retried',
        part: 'D',
        title: 'Business errors are not retried: a declined card is tried exactly once and the order fails',
        hint: 'In call(), turn a service error with retryable === false into ApplicationFailure.nonRetryable(err.message, err.code).',
      },
    ],
  },
  '03': {
    id: '03',
    title: 'A saga with fan-out and fan-in: from messy checkout code to one workflow of activities',
    folder: '03-saga-fan-out',
    original: 'original/03-saga-fan-out/checkout.ts',
    originalTitle: 'Original checkout',
    originalSummary: 'the messy checkout (an endless payment retry, Promise.all over the warehouses, the email first)',
    doc: 'docs/03-saga-fan-out.md',
    minutes: 60,
    summary:
      'one workflow of activities from messy checkout code: a saga (each undo registered before its step), ' +
      'stock reserved at every warehouse at once (fan-out, fan-in), partial failures undone, a `status` query per branch',
    taskQueue: 'saga-fan-out',
    workflowType: 'sagaFanOutWorkflow',
    workflowIdPrefix: 'order-03-',
    childIdTag: '03-',
    children: [],
    defaultFaults: 'payment=0.2,inventory=0.1,shipping=0.1',
    parts: {
      A: { title: 'Activities instead of the tangle' },
      B: { title: 'A saga: each undo before its step' },
      C: { title: 'Fan-out and fan-in over the warehouses' },
      D: { title: 'When one warehouse fails' },
      E: { title: 'A status query that shows each branch' },
    },
    criteria: [
      {
        id: '03-happy-path',
        part: 'A',
        title:
          'With no faults the order completes: charged once for the order total, one reservation per warehouse (each with its own key), one shipment, one email',
        hint: 'Each activity calls its service once, through callService((options) => services.….(input, options)), and returns a small plain object; the workflow passes the keys from shared.ts (stepKey, reservationKey).',
      },
      {
        id: '03-one-call-per-attempt',
        part: 'A',
        title:
          'Each activity calls its service once per attempt and lets its errors escape: no retry loop and no swallowed error inside an activity (each one called while its service fails)',
        hint: 'No loop and no catch inside an activity: call the service once and let a failure escape, so Temporal sees it, retries it and records each attempt. An activity that catches the error "succeeds" without having done anything.',
      },
      {
        id: '03-retry-policies',
        part: 'A',
        title:
          'Every step has a retry policy with maximumAttempts and backoff, visible in the history (not the original’s endless loop, not a single attempt)',
        hint: "In workflows/options.ts give STEP_OPTIONS retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumAttempts: 3 }. Without maximumAttempts Temporal retries for ever, like the original's chargeCard loop.",
      },
      {
        id: '03-undo-before-step',
        part: 'B',
        title:
          'When the charge goes through but its call keeps reporting an error, the order fails and the card is refunded: the refund was registered before the charge',
        hint: "Call saga.addUndo('refund payment', …) before `await chargePayment(…)`, not after it: a call can fail after its effect landed (the card charged, then a timeout), and an undo registered after a step that threw is never registered.",
      },
      {
        id: '03-compensate-in-reverse',
        part: 'B',
        title:
          'When the carrier books the parcel but its call keeps failing, the order cancels the shipment, releases every warehouse, then refunds the card: nothing left charged, held or shipped',
        hint: "Register every undo before its step: the refund before the charge, a release per warehouse before the reservations, 'cancel shipment' before arrangeShipment. saga.compensate() in the catch block runs them newest first, non-cancellably.",
      },
      {
        id: '03-reservations-overlap',
        part: 'C',
        title:
          'The warehouses are reserved at the same time: every reservation is started before any of them has finished (read from the workflow’s history)',
        hint: 'Start every branch before awaiting any: await fanOut(parcels.map((parcel) => () => progress.branch(…, () => reserveAtWarehouse(…)))). A loop with await inside reserves one warehouse after the other.',
      },
      {
        id: '03-steps-in-order',
        part: 'C',
        title:
          'Validate, then charge, then every reservation, then shipping once all have completed, then the email, last (read from the workflow’s history)',
        hint: 'await the fan-out before arrangeShipment: shipping needs every unit reserved. Send the email only once the parcel is booked: the original told customers "has shipped" before anything had.',
      },
      {
        id: '03-no-stuck-reservation',
        part: 'D',
        title:
          'When one warehouse is out of stock, the reservation that landed at another is released and the card refunded: nothing stuck, nothing charged, no email',
        hint: 'Register a release for every warehouse before any reservation starts (Part B: saga.addUndo(`release ${warehouse}`, …)), and let the join wait for every branch (fanOut, Part D): a branch that landed must be undone when a sibling fails.',
      },
      {
        id: '03-waits-for-running-branch',
        part: 'D',
        title:
          'When one warehouse fails while another is still reserving, the order cancels the running branch, waits until it has settled, and only then releases it',
        hint: 'In fanOut, run the branches in one CancellationScope, scope.cancel() at the first failure, and await Promise.allSettled(…) before throwing it. Promise.all rejects at once: a release that runs then finds nothing, and the reservation lands after it.',
      },
      {
        id: '03-status-shows-branches',
        part: 'E',
        title:
          'The workflow answers a typed `status` query from its first moment, and while the warehouses are reserved it lists each one as RESERVING at the same time',
        hint: 'setHandler(statusQuery, () => progress.status) first thing in the workflow, before any await; in OrderProgress.mirrorBranch(), mark the warehouse RESERVING, then RESERVED, FAILED or CANCELLED.',
      },
    ],
  },
  '06': {
    id: '06',
    title: 'Order fulfillment with parent and child workflows',
    folder: '06-order-fulfillment',
    original: 'original/06-order-fulfillment/fulfill-order.ts',
    originalTitle: 'Original monolith',
    originalSummary: 'the monolith (no retries, no cleanup)',
    doc: 'docs/06-order-fulfillment.md',
    minutes: 90,
    summary:
      'a parent workflow running four child workflows in order (payment, inventory, shipping, notification), ' +
      'with compensations, `status` queries and child-level retries',
    taskQueue: 'order-fulfillment',
    workflowType: 'orderFulfillmentWorkflow',
    workflowIdPrefix: 'order-',
    childIdTag: '',
    children: ['payment', 'inventory', 'shipping', 'notification'],
    defaultFaults: 'payment=0.15,inventory=0.2,shipping=0.1',
    parts: {
      A: { title: 'Four child workflows' },
      B: { title: 'A parent that runs them in order' },
      C: { title: 'Compensations' },
      D: { title: 'Status queries' },
      E: { title: 'Retries at child level' },
    },
    criteria: [
      {
        id: '06-children-work-alone',
        part: 'A',
        title:
          'Each child workflow, started on its own, does its one job through its activity, with its workflow ID as the idempotency key',
        hint: 'In each child, call its activity through runTracked(input.orderId, (idempotencyKey) => activity({ idempotencyKey, … }), describe) and return the result.',
      },
      {
        id: '06-four-children',
        part: 'B',
        title: 'The parent orchestrates four child workflows: payment, inventory, shipping, notification',
        hint: 'Start each step with executeChild(paymentWorkflow, …) and its three siblings from the parent; a child that is only a function call does not appear in the parent’s history.',
      },
      {
        id: '06-happy-path',
        part: 'B',
        title: 'With no faults the order completes: one charge, one reservation, one shipment, one email',
        hint: 'Run the four steps with the order’s data and return the result; every side effect goes through an activity with the child’s workflow ID as idempotency key.',
      },
      {
        id: '06-child-ids',
        part: 'B',
        title:
          'Each child has its own workflow ID: payment-<orderId>, inventory-<orderId>, shipping-<orderId>, notification-<orderId>',
        hint: "Pass workflowId: ids.payment (childWorkflowId('payment', orderId)) and so on in the executeChild options.",
      },
      {
        id: '06-children-in-order',
        part: 'B',
        title:
          'Children run strictly in order: each starts only after the previous one completed (read from the parent’s event history)',
        hint: 'await each executeChild before starting the next; Promise.all or a missing await starts them together.',
      },
      {
        id: '06-visible-separately',
        part: 'B',
        title:
          'Parent and children are visible separately: listing the parent’s children shows each child with its parent',
        hint: 'Children started with executeChild are workflows of their own; the server records their parent. Functions called inline are not.',
      },
      {
        id: '06-compensate-shipping-failure',
        part: 'C',
        title:
          'When shipping fails the parent releases the inventory, then refunds the payment: no orphaned charge, no stuck reservation',
        hint: 'Register each undo before its step, catch the failure in the parent, and run the undos newest first inside CancellationScope.nonCancellable.',
      },
      {
        id: '06-compensate-inventory-failure',
        part: 'C',
        title: 'When inventory fails the parent refunds the payment: no orphaned charge',
        hint: 'The refund must be registered before the payment step and run when any later step fails.',
      },
      {
        id: '06-compensate-half-done-steps',
        part: 'C',
        title:
          'When a step does its work and then reports an error (the charge, the reservation or the booking lands, then the call fails), the parent still undoes it, newest first',
        hint: 'Register each undo BEFORE its step, not after it: a step can half-succeed (its effect lands, then the call times out), and an undo registered after a step that threw is never registered. An undo with nothing to undo is a no-op.',
      },
      {
        id: '06-notification-failure-tolerated',
        part: 'C',
        title:
          'A failed confirmation email does not fail the order: the order completes, shipped and charged, with a warning',
        hint: 'Catch the notification child’s failure in the parent, record a warning, and do not compensate.',
      },
      {
        id: '06-status-queries',
        part: 'D',
        title:
          'Every workflow answers a `status` query from its first moment: each child on its own, and the parent (also while it validates) with every child’s state',
        hint: "defineQuery('status') and setHandler(…) first thing in each workflow, before any await; the parent's answer lists children.payment.state and the rest.",
      },
      {
        id: '06-child-level-retries',
        part: 'E',
        title:
          'Retries happen at child level: every step failing its first attempts is retried by its activity inside its own child (visible in each child’s history), with no second child run and no second charge',
        hint: 'Give STEP_OPTIONS in workflows/options.ts, the options of every child’s activity, a retry policy: maximumAttempts 4 with backoff. One attempt fails the step at its first error; a retry policy on executeChild runs the whole child again instead.',
      },
    ],
  },
  '07': {
    id: '07',
    title: 'Parallel fulfillment: children side by side, and sagas when one branch fails',
    folder: '07-parallel-fulfillment',
    original: 'original/07-parallel-fulfillment/fulfill-order-parallel.ts',
    originalTitle: 'Original parallel monolith',
    originalSummary: 'the monolith with payment and inventory at once (Promise.all)',
    doc: 'docs/07-parallel-fulfillment.md',
    minutes: 60,
    summary:
      'the lesson-06 order with payment and inventory as children running at the same time, shipping after both, ' +
      'and compensation that waits for a still-running sibling before undoing it',
    taskQueue: 'order-fulfillment-parallel',
    workflowType: 'parallelFulfillmentWorkflow',
    workflowIdPrefix: 'order-07-',
    childIdTag: '07-',
    children: ['payment', 'inventory', 'shipping', 'notification'],
    defaultFaults: 'payment=0.15,inventory=0.2,shipping=0.1',
    parts: {
      A: { title: 'The fan-out' },
      B: { title: 'The join and the steps that wait for it' },
      C: { title: 'When one branch fails' },
      D: { title: 'Status during the fan-out' },
    },
    criteria: [
      {
        id: '07-children-overlap',
        part: 'A',
        title:
          'Payment and inventory run at the same time: both children are started before either has finished (read from the parent’s event history)',
        hint: 'Register both undos, then start both children through fanOut(() => progress.runChild(…), () => progress.runChild(…)); awaiting one executeChild before starting the other runs them in turn.',
      },
      {
        id: '07-child-ids',
        part: 'B',
        title:
          'Each child has its own workflow ID: payment-07-<orderId>, inventory-07-<orderId>, shipping-07-<orderId>, notification-07-<orderId>',
        hint: "Pass workflowId: childWorkflowId('payment', orderId) and so on in the executeChild options.",
      },
      {
        id: '07-happy-path',
        part: 'B',
        title: 'With no faults the order completes: one charge, one reservation, one shipment, one email',
        hint: 'After the fan-out, ship with the reserved item count, then send the email with the tracking number, and return progress.completed(trackingNumber).',
      },
      {
        id: '07-shipping-waits-for-both',
        part: 'B',
        title:
          'Shipping starts only after payment and inventory have both completed, and notification only after shipping (read from the parent’s event history)',
        hint: 'await the fan-out before starting shipping, and await shipping before notification: shipping needs the reserved item count and a charge that went through.',
      },
      {
        id: '07-notification-failure-tolerated',
        part: 'B',
        title:
          'A failed confirmation email does not fail the order: the order completes, shipped and charged, with a warning',
        hint: 'Catch the notification child’s failure in the parent, record progress.warn(…), and do not compensate.',
      },
      {
        id: '07-declined-while-reserving',
        part: 'C',
        title:
          'When the card is declined while the reservation is still in flight, the parent waits for the reservation to land, then releases it: nothing charged, no stuck reservation',
        hint: 'When one branch fails, cancel the other and still await it until it has settled (Promise.allSettled), then compensate. Promise.all rejects at once, and a release that runs before the reservation lands finds nothing to release.',
      },
      {
        id: '07-inventory-fails-after-payment',
        part: 'C',
        title:
          'When inventory fails after the payment went through, the parent refunds the payment exactly once: no orphaned charge',
        hint: 'Register the refund before the fan-out, not after it: when the join throws, an undo registered after it was never registered. Then await saga.compensate() in the catch block.',
      },
      {
        id: '07-status-during-fan-out',
        part: 'D',
        title:
          'While payment and inventory both run, the parent’s `status` lists both as RUNNING, and each child answers its own `status` query',
        hint: 'setHandler(orderStatusQuery, () => progress.status) first thing in the parent, and setHandler(childStatusQuery, () => status) in runTracked; progress.runChild marks each child RUNNING as it starts.',
      },
    ],
  },
  '08': {
    id: '08',
    title: 'Versioning: changing the order flow while orders are in flight',
    folder: '08-versioning',
    original: 'original/08-versioning/order-flow.ts',
    originalTitle: 'Original order flow',
    originalSummary:
      'the monolith with the fraud check edited in (a deploy restarts it: orders in flight stop half-way)',
    doc: 'docs/08-versioning.md',
    minutes: 60,
    summary:
      'a change to the order flow (a fraud check first, stock reserved before the card is charged) deployed while ' +
      'orders are in flight: the non-determinism error, a replay test that catches it, `patched()`, ' +
      '`deprecatePatch()`, then the same change with Worker Versioning',
    taskQueue: 'order-versioning',
    workflowType: 'orderFlowWorkflow',
    workflowIdPrefix: 'order-08-',
    childIdTag: '',
    children: [],
    defaultFaults: 'none',
    parts: {
      A: { title: 'A replay test' },
      B: { title: 'Patch the change' },
      C: { title: 'Retire the patch' },
    },
    criteria: [
      {
        id: '08-replay-test',
        part: 'A',
        title:
          'Your replay test reads the orders’ histories from the server and replays them: an order started on v1 fails against v2 with its patched() guards replaced by true (a non-determinism error), and replays against the patched v2',
        hint: 'In replay.ts: serverHistories returns client.workflow.list({ query }).intoHistories(); replayHistories collects verdictOf(result) for each result of Worker.runReplayHistories(workflows, histories), a failed replay included.',
      },
      {
        id: '08-old-orders-finish',
        part: 'B',
        title:
          'An order started on v1 and still in flight when v2 is deployed completes on v2 without a non-determinism error, on its old path: no fraud check, the card charged before the stock is reserved',
        hint: "In workflows/v2.ts put the whole change behind one if (patched('fraud-check')) { … } and keep v1's steps, unchanged, after it: replaying a history recorded without the patch, patched() returns false.",
      },
      {
        id: '08-new-orders-fraud-check',
        part: 'B',
        title:
          'An order started after the deploy runs the new flow (validate, fraud check, reserve, charge, ship) and its history records the `fraud-check` patch marker',
        hint: "Inside if (patched('fraud-check')): await flow.checkFraud(), then flow.reserve(), then flow.charge(), then ship. The marker is what patched() records the first time it returns true.",
      },
      {
        id: '08-patch-retired',
        part: 'C',
        title:
          "v3 calls deprecatePatch('fraud-check') and replays the orders v2 started; v4 has no patch call left and replays the orders v3 started",
        hint: "v3: the new path only, with deprecatePatch('fraud-check') where v2 called patched(); deploy it once no order started on v1 is open. v4: the same without the call; deploy it once no order started on v2 is open.",
      },
    ],
  },
};

export const LESSON_IDS = Object.keys(LESSONS) as LessonId[];

/**
 * The lesson a command works on without `--lesson`: 06, the parent-and-children lesson the kit is
 * built around (its page and the README show `npm run grade` and `npm run worker` without the flag).
 */
export const DEFAULT_LESSON: LessonId = '06';

/** The places a lesson's code lives: the reference and the learner's copy. */
export const TARGETS = ['solution', 'exercises'] as const;
export type TargetName = (typeof TARGETS)[number];

export function isLessonId(value: string): value is LessonId {
  return (LESSON_IDS as string[]).includes(value);
}

/** `order-ORDER-001` (06), `order-processing-ORDER-001` (02), `order-07-ORDER-001` (07): one workflow per order. */
export function orderWorkflowId(lesson: LessonId, orderId: string): string {
  return `${LESSONS[lesson].workflowIdPrefix}${orderId}`;
}

/** `payment-ORDER-001` (06), `payment-07-ORDER-001` (07): a child's workflow ID, also its idempotency key. */
export function childWorkflowIdOf(lesson: LessonId, kind: string, orderId: string): string {
  return `${kind}-${LESSONS[lesson].childIdTag}${orderId}`;
}

/** GitHub's anchor for a Part's section: `## Part A: Four child workflows` → `part-a-four-child-workflows`. */
export function partAnchor(part: string, title: string): string {
  return `part ${part} ${title}`
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
