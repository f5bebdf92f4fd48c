/** Order validation (the `validate` step): checks the order against the catalog. */
import { ValidationError } from './errors';
import { itemCount, Order, orderProblems, orderTotalCents } from './orders';
import { CallOptions, Service } from './service';

export interface ValidatedOrder {
  orderId: string;
  totalCents: number;
  itemCount: number;
}

export class OrderDesk extends Service {
  /** Throws ValidationError naming the first bad field; counts as one `validate` call. */
  async validate(
    request: { idempotencyKey: string; order: Order },
    options: CallOptions = {},
  ): Promise<ValidatedOrder> {
    const order = request.order;
    const orderId = typeof order?.orderId === 'string' && order.orderId ? order.orderId : '(no id)';
    return this.call('validate', { idempotencyKey: request.idempotencyKey, orderId }, options, () => {
      const problems = orderProblems(order);
      if (problems.length > 0) throw new ValidationError(problems[0].field, problems[0].reason);
      return { orderId: order.orderId, totalCents: orderTotalCents(order.items), itemCount: itemCount(order.items) };
    });
  }
}
