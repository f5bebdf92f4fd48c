/**
 * Warehouses as branches: an order's lines grouped by warehouse, and faults and latency drawn per
 * warehouse, so two reservations of one order can fail differently. A call without a branch draws
 * exactly as before, so every existing seed meets the same faults.
 */
import { expect } from 'chai';
import {
  draw,
  FaultConfigError,
  FaultPlan,
  LatencyConfigError,
  LatencyPlan,
  parseFaults,
  sampleBatch,
  sampleOrder,
  splitByWarehouse,
  WAREHOUSES,
} from '../../services';
import { freshServices } from '../support/harness';

describe('warehouses', () => {
  it('splits the sample order into its east and west parts, in warehouse order', () => {
    expect(splitByWarehouse(sampleOrder().items)).to.deep.equal([
      { warehouse: 'east', items: [{ sku: 'LAPTOP-15', quantity: 1 }] },
      { warehouse: 'west', items: [{ sku: 'MOUSE-WL', quantity: 2 }] },
    ]);
    for (const order of sampleBatch(30)) {
      const parcels = splitByWarehouse(order.items);
      expect(parcels.flatMap((p) => p.items.map((i) => i.sku)).sort()).to.deep.equal(
        order.items.map((i) => i.sku).sort(),
      );
      expect(WAREHOUSES.filter((w) => parcels.some((p) => p.warehouse === w))).to.deep.equal(
        parcels.map((p) => p.warehouse),
      );
    }
  });

  it('a call without a branch draws as it always did; each branch draws for itself', () => {
    const plan = FaultPlan.parse('inventory=0.5', 7);
    for (let i = 1; i <= 200; i++) {
      const orderId = `ORDER-${i}`;
      const expected = draw(7, 'inventory', orderId, 1) < 0.5 ? 'fail-before' : 'none';
      expect(plan.decide('inventory', orderId, 1)).to.equal(expected);
    }
    const differ = Array.from({ length: 200 }, (_, i) => `ORDER-${i}`).filter(
      (orderId) => plan.decide('inventory', orderId, 1, 'east') !== plan.decide('inventory', orderId, 1, 'west'),
    );
    // Independent draws at 50 %: about half the orders see their two warehouses disagree.
    expect(differ.length).to.be.within(70, 130);
  });

  it('a rule may single out one branch; the step’s rule covers the others', () => {
    expect(parseFaults('inventory.west=always,inventory=first:1')).to.deep.equal({
      'inventory.west': { kind: 'always' },
      inventory: { kind: 'first', n: 1 },
    });
    const plan = FaultPlan.parse('inventory.west=always');
    expect(plan.decide('inventory', 'O', 3, 'west')).to.equal('fail-before');
    expect(plan.decide('inventory', 'O', 1, 'east')).to.equal('none');
    expect(plan.decide('inventory', 'O', 1)).to.equal('none');
    expect(FaultPlan.parse('inventory.west=always,payment=0.2').toString()).to.equal(
      'inventory.west=always,payment=0.2',
    );
    expect(() => parseFaults('inventry.west=always')).to.throw(FaultConfigError, 'unknown step "inventry"');
    expect(() => parseFaults('inventory.=always')).to.throw(FaultConfigError, 'bad branch');
    expect(() => parseFaults('inventory.West=always')).to.throw(FaultConfigError, 'bad branch "West"');
  });

  it('latency per branch: inventory.east=2s slows only the east warehouse', () => {
    const plan = LatencyPlan.parse('inventory.east=2s,inventory=10ms');
    expect(plan.delayMs('inventory', 'O', 1, 'east')).to.equal(2000);
    expect(plan.delayMs('inventory', 'O', 1, 'west')).to.equal(10);
    expect(plan.delayMs('inventory', 'O', 1)).to.equal(10);
    expect(plan.toString()).to.equal('inventory.east=2s,inventory=10ms');
    expect(() => LatencyPlan.parse('inventory.=2s')).to.throw(LatencyConfigError, 'bad branch');
  });

  it('the inventory service draws a reservation’s faults for its warehouse', async () => {
    const services = freshServices(FaultPlan.parse('inventory.west=always'));
    try {
      const order = sampleOrder('ORDER-W');
      const [east, west] = splitByWarehouse(order.items);
      const reserve = (parcel: typeof east) =>
        services.inventory.reserve({
          idempotencyKey: `inventory-${parcel.warehouse}-03-${order.orderId}`,
          orderId: order.orderId,
          items: parcel.items,
          warehouse: parcel.warehouse,
        });
      expect((await reserve(east)).itemCount).to.equal(1);
      let failure: unknown;
      await reserve(west).catch((err: unknown) => (failure = err));
      expect((failure as Error).message).to.equal('inventory service unavailable (attempt 1)');
      expect(services.ledger.audit().reservations.map((r) => r.key)).to.deep.equal(['inventory-east-03-ORDER-W']);
    } finally {
      services.close();
    }
  });
});
