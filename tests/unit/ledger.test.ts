/** The ledger: the audit it derives (orphans, stuck stock, goods given away) and the file it lives in. */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ledger, LedgerError, sampleOrder } from '../../services';
import { itWithServices } from '../support/harness';

describe('ledger', () => {
  const order = sampleOrder();

  describe('the audit', () => {
    itWithServices('derives orphaned charges and stuck reservations from a hand-built ledger', async (services) => {
      const { payment, inventory, shipping } = services;
      const addr = order.customer.address;
      const charge = (o: string, c: number) =>
        payment.charge({ idempotencyKey: `pay-${o}`, orderId: o, amountCents: c, paymentToken: 't' });
      const reserve = (o: string) =>
        inventory.reserve({ idempotencyKey: `inv-${o}`, orderId: o, items: [{ sku: 'MOUSE-WL', quantity: 1 }] });
      // A: charged, reserved, shipped -> fine.
      await charge('A', 100);
      await reserve('A');
      await shipping.arrange({ idempotencyKey: 'ship-A', orderId: 'A', address: addr, itemCount: 1 });
      // B: charged and reserved, nothing shipped -> orphaned charge + stuck reservation.
      await charge('B', 200);
      await reserve('B');
      // C: charged, reserved, then compensated -> fine.
      await charge('C', 300);
      await reserve('C');
      await inventory.release({ idempotencyKey: 'rel-C', orderId: 'C', reservationKey: 'inv-C' });
      await payment.refund({ idempotencyKey: 'ref-C', orderId: 'C', chargeKey: 'pay-C' });
      // D: charged, shipment arranged then cancelled, not refunded -> orphaned.
      await charge('D', 400);
      await shipping.arrange({ idempotencyKey: 'ship-D', orderId: 'D', address: addr, itemCount: 1 });
      await shipping.cancel({ idempotencyKey: 'cancel-D', orderId: 'D', shipmentKey: 'ship-D' });

      const audit = services.ledger.audit();
      expect(audit.orphanedCharges.map((c) => c.orderId)).to.deep.equal(['B', 'D']);
      expect(audit.stuckReservations.map((r) => r.orderId)).to.deep.equal(['B']);
      expect(audit.totals).to.deep.include({ chargedCents: 1000, refundedCents: 300, orphanedCents: 600 });
      expect(audit.shippedUnpaid).to.deep.equal([]);
    });

    itWithServices(
      'reports goods shipped but not paid for: never charged, or charged and refunded',
      async (services) => {
        const { payment, shipping } = services;
        const addr = order.customer.address;
        const ship = (o: string) =>
          shipping.arrange({ idempotencyKey: `ship-${o}`, orderId: o, address: addr, itemCount: 1 });
        // P: charged and shipped -> fine.
        await payment.charge({ idempotencyKey: 'pay-P', orderId: 'P', amountCents: 100, paymentToken: 't' });
        await ship('P');
        // E: shipped, never charged -> shipped, not paid.
        await ship('E');
        // F: charged, refunded, then shipped anyway (a re-run that reused the refunded charge) -> shipped, not paid.
        await payment.charge({ idempotencyKey: 'pay-F', orderId: 'F', amountCents: 200, paymentToken: 't' });
        await payment.refund({ idempotencyKey: 'ref-F', orderId: 'F', chargeKey: 'pay-F' });
        await ship('F');
        // G: shipment arranged, never charged, then cancelled -> nothing left the warehouse: fine.
        await ship('G');
        await shipping.cancel({ idempotencyKey: 'cancel-G', orderId: 'G', shipmentKey: 'ship-G' });

        const audit = services.ledger.audit();
        expect(audit.shippedUnpaid.map((s) => s.orderId)).to.deep.equal(['E', 'F']);
        expect(audit.shippedUnpaid.every((s) => s.cancelled === false)).to.equal(true);
        expect(audit.orphanedCharges).to.deep.equal([]);
      },
    );
  });

  describe('the ledger file', () => {
    it('an unwritable LEDGER_PATH gives a clear error', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ro-'));
      const file = path.join(dir, 'file-not-dir');
      fs.writeFileSync(file, 'x');
      expect(() => Ledger.open(path.join(file, 'ledger.sqlite'))).to.throw(
        LedgerError,
        /cannot open the ledger at .*Set LEDGER_PATH/,
      );
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a directory that refuses new entries (/proc) fails at once, not in an endless mkdir loop', () => {
      expect(() => Ledger.open('/proc/x/l.sqlite')).to.throw(
        LedgerError,
        /cannot open the ledger at \/proc\/x\/l\.sqlite: ENOENT/,
      );
    });

    itWithServices(
      "two connections see each other's writes (worker and audit in different processes)",
      async (services) => {
        const other = Ledger.open(services.ledger.path);
        await services.payment.charge({ idempotencyKey: 'x', orderId: 'O', amountCents: 5, paymentToken: 't' });
        expect(other.audit().charges).to.have.length(1);
        other.close();
      },
    );
  });
});
