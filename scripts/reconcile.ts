/**
 * `npm run reconcile`: undoes what orders Temporal no longer runs (terminated, cancelled, timed out,
 * failed, forgotten by the server) left behind in the ledger: charges, reservations, shipments. The
 * undos run as Temporal workflows on a worker inside this command (common/reconcile/). Orders whose
 * workflow is running or completed are left alone. `--dry-run` first shows what it would do.
 */
import { connectClient, connectWorker, temporalSettings } from '../common/connection';
import { formatAuditLine, formatNothingToDo, formatSummary, reconcile } from '../common/reconcile';
import { installWorkerLogging } from '../common/worker';
import { FaultPlan, LatencyPlan, Ledger } from '../services';
import { runMain } from '../common/cli';
import { commandArgs } from './lib/args';
import { LEDGER_FLAGS, ledgerToRead } from './lib/ledger-file';

const FLAGS = {
  'dry-run': { type: 'boolean', description: 'list what it would undo, change nothing (starts no worker)' },
  json: { type: 'boolean', description: 'print the result as JSON, for programs' },
  ...LEDGER_FLAGS,
} as const;

const SUMMARY = [
  'Undoes what orders Temporal no longer runs left behind: a charge, a reservation or a shipment of an',
  'order whose workflow was terminated, cancelled, timed out or failed, or that the server does not know',
  '(a dev server restarted on an empty database). Each such order gets a reconcile-<order ID> workflow,',
  "on a worker this command runs, that refunds, releases and cancels with the original steps' keys,",
  'newest first. An order whose workflow (in any lesson) is running or completed is left alone.',
  'Run it again at any time: what is undone stays undone. Exit code 1 when an undo failed.',
  'Uses TEMPORAL_ADDRESS and the other Temporal settings, ORDER_FAULTS and ORDER_LATENCY (default none).',
].join('\n');

async function main(): Promise<number> {
  const args = commandArgs('npm run reconcile --', SUMMARY, FLAGS);
  if (!args) return 0;
  const { lesson, file } = ledgerToRead(
    args,
    (missing) => `no ledger at ${missing}: nothing has run there yet (set LEDGER_PATH or --ledger)`,
  );
  // Settings first: a bad value fails before anything connects.
  const settings = temporalSettings();
  const faults = FaultPlan.fromEnv('none');
  const latency = LatencyPlan.fromEnv();
  const dryRun = args['dry-run'] === true;
  const json = args.json === true;
  const ledger = Ledger.open(file);
  const client = await connectClient(settings);
  try {
    const result = await reconcile({
      client,
      ledger,
      // A lesson's own ledger holds that lesson's orders; a file named by --ledger or LEDGER_PATH may hold
      // any lesson's, so an order any lesson runs or completed is left alone.
      ...(args.ledger || process.env.LEDGER_PATH?.trim() ? {} : { lessons: [lesson] }),
      dryRun,
      // The worker's runtime starts only when there is something to undo (a dry run starts none).
      connection: () => {
        installWorkerLogging('WARN');
        return connectWorker(settings);
      },
      faults,
      latency,
      address: settings.address,
      log: json ? undefined : (line) => console.log(line),
    });
    if (json) {
      console.log(JSON.stringify(result, null, 2));
    } else if (result.orders.length === 0 && result.skipped.length === 0) {
      console.log(formatNothingToDo(result));
    } else {
      console.log(formatSummary(result));
      console.log(formatAuditLine(result));
    }
    return result.totals.failed > 0 ? 1 : 0;
  } finally {
    await client.connection.close();
    ledger.close();
  }
}

runMain(main);
