import { expect } from 'chai';
import { draw, FaultConfigError, FaultPlan, parseFaults, parseSeed } from '../../services';

describe('fault plan', () => {
  it('parses every rule kind', () => {
    expect(
      parseFaults('payment=0.15,inventory=always,shipping=never,notification=first:2,refund=after:1'),
    ).to.deep.equal({
      payment: { kind: 'probability', p: 0.15 },
      inventory: { kind: 'always' },
      shipping: { kind: 'never' },
      notification: { kind: 'first', n: 2 },
      refund: { kind: 'after', n: 1 },
    });
    expect(parseFaults('')).to.deep.equal({});
    expect(parseFaults('none')).to.deep.equal({});
    expect(parseFaults(' payment = 1 ')).to.deep.equal({ payment: { kind: 'probability', p: 1 } });
  });

  for (const [text, token] of [
    ['payment=2', 'payment=2'],
    ['payment=0.1,inventory=sometimes', 'inventory=sometimes'],
    ['paymnet=0.1', 'paymnet=0.1'],
    ['payment', 'payment'],
    ['payment=first:x', 'payment=first:x'],
    ['payment=0.1,payment=0.2', 'payment=0.2'],
    ['payment=-0.5', 'payment=-0.5'],
  ]) {
    it(`rejects "${text}" naming the bad token`, () => {
      expect(() => parseFaults(text)).to.throw(FaultConfigError, token);
    });
  }

  for (const token of ['payment=after:0', 'refund=first:0', 'release=after:00']) {
    it(`rejects "${token}": it counts no attempt, so it would silently mean "never"`, () => {
      expect(() => parseFaults(token)).to.throw(FaultConfigError, `"${token}"`);
      expect(() => parseFaults(token)).to.throw(FaultConfigError, /counts no attempt/);
    });
  }

  it('rejects a seed that is not a whole number', () => {
    expect(() => parseSeed('abc')).to.throw(FaultConfigError, 'ORDER_SEED');
    expect(parseSeed('42')).to.equal(42);
    expect(parseSeed(undefined, 7)).to.equal(7);
  });

  it('draws depend only on seed, step, order and attempt', () => {
    expect(draw(1, 'payment', 'ORDER-001', 1)).to.equal(draw(1, 'payment', 'ORDER-001', 1));
    const varied = [
      draw(2, 'payment', 'ORDER-001', 1),
      draw(1, 'inventory', 'ORDER-001', 1),
      draw(1, 'payment', 'ORDER-002', 1),
      draw(1, 'payment', 'ORDER-001', 2),
    ];
    for (const value of varied) expect(value).to.not.equal(draw(1, 'payment', 'ORDER-001', 1));
  });

  it('probability draws are independent per attempt and match the rate', () => {
    const plan = FaultPlan.parse('payment=0.2', 99);
    let failures = 0;
    let bothFailed = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const first = plan.decide('payment', `ORDER-${i}`, 1) !== 'none';
      const second = plan.decide('payment', `ORDER-${i}`, 2) !== 'none';
      if (first) failures++;
      if (first && second) bothFailed++;
    }
    // 20 % with a generous band; the joint rate near 4 % shows attempts are independent draws.
    expect(failures / n).to.be.within(0.17, 0.23);
    expect(bothFailed / n).to.be.within(0.025, 0.055);
  });

  it('first:N fails before the effect, after:N after it, for exactly N attempts', () => {
    const plan = FaultPlan.parse('payment=first:2,inventory=after:1');
    expect([1, 2, 3].map((a) => plan.decide('payment', 'O', a))).to.deep.equal(['fail-before', 'fail-before', 'none']);
    expect([1, 2].map((a) => plan.decide('inventory', 'O', a))).to.deep.equal(['fail-after', 'none']);
    expect(plan.decide('shipping', 'O', 1)).to.equal('none');
  });

  it('reads ORDER_FAULTS and ORDER_SEED, falling back to the lesson defaults', () => {
    const fromEnv = FaultPlan.fromEnv('payment=0.15', { ORDER_FAULTS: 'shipping=always', ORDER_SEED: '5' });
    expect(fromEnv.spec).to.deep.equal({ shipping: { kind: 'always' } });
    expect(fromEnv.seed).to.equal(5);
    expect(FaultPlan.fromEnv('payment=0.15', {}).spec).to.deep.equal({ payment: { kind: 'probability', p: 0.15 } });
    expect(FaultPlan.parse('payment=0.15,shipping=after:2').toString()).to.equal('payment=0.15,shipping=after:2');
  });
});
