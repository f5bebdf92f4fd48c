/**
 * The simulated outside world: a payment gateway, an inventory system, a shipping carrier, a
 * mailer and a fraud screen, all writing to one SQLite ledger, with reproducible fault injection.
 *
 * Every call carries an idempotency key. Repeating a call with the same key returns the first
 * result and changes nothing, just as real payment and shipping APIs behave, which is what makes
 * retrying safe. Every call is counted in the ledger: the attempt number that the fault plan sees
 * is "how many times this step was called with this key", whoever the caller is.
 */
import { FaultPlan } from './faults';
import { FraudScreen } from './fraud-screen';
import { Inventory } from './inventory';
import { LatencyPlan } from './latency';
import { Ledger } from './ledger';
import { Mailer } from './mailer';
import { OrderDesk } from './order-desk';
import { PaymentGateway } from './payment-gateway';
import { ServiceOptions } from './service';
import { ShippingCarrier } from './shipping-carrier';

export { REFUSED_LATE } from './audit';
export type {
  Audit,
  CallRow,
  ChargeRow,
  FenceRow,
  NotificationRow,
  RefundRow,
  ReleaseRow,
  ReservationRow,
  ShipmentRow,
} from './audit';
export * from './errors';
export * from './faults';
export * from './fraud-screen';
export * from './inventory';
export * from './latency';
export * from './ledger';
export { DEFAULT_LEDGER_PATH, defaultLedgerPath, ledgerPathFromEnv, REPO_ROOT } from './ledger-location';
export * from './mailer';
export * from './order-desk';
export * from './orders';
export * from './payment-gateway';
export type { CallOptions, ServiceOptions } from './service';
export * from './shipping-carrier';
export * from './warehouses';

export interface Services {
  ledger: Ledger;
  faults: FaultPlan;
  latency: LatencyPlan;
  orderDesk: OrderDesk;
  payment: PaymentGateway;
  inventory: Inventory;
  shipping: ShippingCarrier;
  mailer: Mailer;
  fraud: FraudScreen;
  close(): void;
}

export function createServices(options: ServiceOptions): Services {
  return {
    ledger: options.ledger,
    faults: options.faults,
    latency: options.latency ?? LatencyPlan.none(),
    orderDesk: new OrderDesk(options),
    payment: new PaymentGateway(options),
    inventory: new Inventory(options),
    shipping: new ShippingCarrier(options),
    mailer: new Mailer(options),
    fraud: new FraudScreen(options),
    close: () => options.ledger.close(),
  };
}
