/**
 * The steps every build of the order flow is made of, so that each build (v1.ts … v4.ts) shows only
 * what it changes: which steps it runs, and in which order. Workflow code: no Node modules, and the
 * activities are imported as types only.
 */
import { isCancellation, proxyActivities } from '@temporalio/workflow';
import { assertOrderShape, orderFailed, rootCauseMessage } from '../../../common/failures';
import { orderTotalCents, type Order } from '../../../services/orders';
import type { Activities } from '../activities';
import { idempotencyKey, shippingQuote, type OrderFailureDetails, type OrderResult, type Step } from '../shared';

const { validateOrder, checkFraud, chargePayment, reserveInventory, arrangeShipment } = proxyActivities<Activities>({
  // A minute: a shipment may take its time (ORDER_LATENCY=shipping=30s keeps an order in flight while you deploy).
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 3,
  },
});

type Charge = Awaited<ReturnType<Activities['chargePayment']>>;
type Reservation = Awaited<ReturnType<Activities['reserveInventory']>>;
type Shipment = Awaited<ReturnType<Activities['arrangeShipment']>>;

/** One order's steps. Each remembers its name, so a failure says where it happened. */
export class OrderFlow {
  private step: Step = 'validate';
  readonly totalCents: number;

  constructor(readonly order: Order) {
    assertOrderShape(order);
    this.totalCents = orderTotalCents(order.items);
  }

  /**
   * Runs `steps` and returns what they return; a failure becomes an `OrderFailed` failure that says at
   * which step and why (a cancelled order ends as cancelled).
   */
  async run(steps: () => Promise<OrderResult>): Promise<OrderResult> {
    try {
      return await steps();
    } catch (err) {
      if (isCancellation(err)) throw err;
      const { orderId } = this.order;
      const details: OrderFailureDetails = {
        orderId,
        status: 'FAILED',
        error: `${this.step}: ${rootCauseMessage(err)}`,
      };
      throw orderFailed(orderId, this.step, err, details);
    }
  }

  async validate(): Promise<void> {
    this.step = 'validate';
    await validateOrder({ idempotencyKey: this.key('validate'), order: this.order });
  }

  /** The fraud screen: its risk score, or an OrderFailed failure when it refuses the card. */
  async checkFraud(): Promise<number> {
    this.step = 'fraud';
    const { riskScore } = await checkFraud({
      idempotencyKey: this.key('fraud'),
      orderId: this.order.orderId,
      amountCents: this.totalCents,
      paymentToken: this.order.paymentToken,
      email: this.order.customer.email,
    });
    return riskScore;
  }

  async charge(): Promise<Charge> {
    this.step = 'payment';
    return chargePayment({
      idempotencyKey: this.key('payment'),
      orderId: this.order.orderId,
      amountCents: this.totalCents,
      paymentToken: this.order.paymentToken,
    });
  }

  async reserve(): Promise<Reservation> {
    this.step = 'inventory';
    return reserveInventory({
      idempotencyKey: this.key('inventory'),
      orderId: this.order.orderId,
      items: this.order.items.map(({ sku, quantity }) => ({ sku, quantity })),
    });
  }

  async ship(reservation: Reservation): Promise<Shipment> {
    this.step = 'shipping';
    return arrangeShipment({
      idempotencyKey: this.key('shipping'),
      orderId: this.order.orderId,
      address: this.order.customer.address,
      itemCount: reservation.itemCount,
    });
  }

  /** The result of an order that went through; `fraudRiskScore` is null on the path without the check. */
  completed(done: {
    charge: Charge;
    reservation: Reservation;
    shipment: Shipment;
    fraudRiskScore: number | null;
  }): OrderResult {
    return {
      orderId: this.order.orderId,
      status: 'COMPLETED',
      totalCents: this.totalCents,
      shippingCents: shippingQuote(this.order.items),
      chargeId: done.charge.chargeId,
      reservationId: done.reservation.reservationId,
      trackingNumber: done.shipment.trackingNumber,
      fraudRiskScore: done.fraudRiskScore,
    };
  }

  private key(step: Step): string {
    return idempotencyKey(step, this.order.orderId);
  }
}
