/** The mailer: sends the customer the "your order has shipped" email. */
import { CallOptions, Service } from './service';
import { derivedId } from './stable-ids';

export interface ConfirmationRequest {
  idempotencyKey: string;
  orderId: string;
  email: string;
  trackingNumber: string;
}

export interface Notification {
  notificationId: string;
  email: string;
}

export class Mailer extends Service {
  async sendConfirmation(request: ConfirmationRequest, options: CallOptions = {}): Promise<Notification> {
    return this.call(
      'notification',
      request.idempotencyKey,
      request.orderId,
      () => {
        const existing = this.ledger.get<Notification>(
          'SELECT notification_id AS notificationId, email FROM notifications WHERE idem_key = ?',
          request.idempotencyKey,
        );
        if (existing) return existing;
        const notificationId = derivedId('msg', request.idempotencyKey);
        this.ledger.run(
          'INSERT INTO notifications (notification_id, idem_key, order_id, email, subject) VALUES (?, ?, ?, ?, ?)',
          notificationId,
          request.idempotencyKey,
          request.orderId,
          request.email,
          `Your order ${request.orderId} has shipped (tracking ${request.trackingNumber})`,
        );
        return { notificationId, email: request.email };
      },
      options.signal,
    );
  }
}
