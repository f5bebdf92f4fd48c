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
    return this.call('notification', request, options, () => {
      const existing = this.ledger.get<Notification>(
        'SELECT notification_id AS notificationId, email FROM notifications WHERE idem_key = ?',
        request.idempotencyKey,
      );
      if (existing) return existing;
      const notificationId = derivedId('msg', request.idempotencyKey);
      const subject = `Your order ${request.orderId} has shipped (tracking ${request.trackingNumber})`;
      this.record('notifications', request, { notification_id: notificationId, email: request.email, subject });
      return { notificationId, email: request.email };
    });
  }
}
