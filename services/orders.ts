/**
 * The order domain: types, the product catalog, validation, sample orders and money formatting.
 *
 * Everything here is plain data and pure functions, so workflow code may import it too
 * (no Node modules, no I/O). Money is always integer cents: JSON payloads cannot carry
 * Decimal, BigInt or class instances, and floats lose cents.
 */

export interface Address {
  name: string;
  line1: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface Customer {
  name: string;
  email: string;
  address: Address;
}

export interface LineItem {
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Order {
  orderId: string;
  customer: Customer;
  items: LineItem[];
  /**
   * A card token from the payment gateway. `tok_declined` is always declined; `tok_disputed` is charged,
   * then disputed by the cardholder, so its refund is refused.
   */
  paymentToken: string;
}

export interface CatalogEntry {
  sku: string;
  name: string;
  priceCents: number;
  /** Stock a fresh ledger starts with. */
  initialStock: number;
}

export const CATALOG: readonly CatalogEntry[] = [
  { sku: 'LAPTOP-15', name: '15-inch laptop', priceCents: 99_999, initialStock: 10_000 },
  { sku: 'MOUSE-WL', name: 'Wireless mouse', priceCents: 2_999, initialStock: 10_000 },
  { sku: 'KEYBOARD-MX', name: 'Mechanical keyboard', priceCents: 8_999, initialStock: 10_000 },
  { sku: 'MONITOR-27', name: '27-inch monitor', priceCents: 32_999, initialStock: 10_000 },
  { sku: 'USB-C-HUB', name: 'USB-C hub', priceCents: 4_999, initialStock: 10_000 },
  { sku: 'HEADSET-BT', name: 'Bluetooth headset', priceCents: 12_999, initialStock: 10_000 },
  // Sold out on purpose: ordering it shows an out-of-stock business error.
  { sku: 'VINTAGE-CAMERA', name: 'Vintage camera', priceCents: 45_000, initialStock: 0 },
];

export function findCatalogEntry(sku: string): CatalogEntry | undefined {
  return CATALOG.find((entry) => entry.sku === sku);
}

/**
 * The order total in integer cents: quantity × the catalog's price, summed. The one place the kit
 * computes it. Prices come from the catalog, never from the caller (validation rejects an order whose
 * line prices disagree with it). Pure, so workflow code uses it as plain workflow logic.
 */
export function orderTotalCents(items: readonly Pick<LineItem, 'sku' | 'quantity' | 'unitPriceCents'>[]): number {
  return items.reduce(
    (sum, item) => sum + item.quantity * (findCatalogEntry(item.sku)?.priceCents ?? item.unitPriceCents),
    0,
  );
}

export function itemCount(items: readonly LineItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity, 0);
}

/** 105997 -> "$1,059.97". Integer arithmetic only. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * How big each part of an order may be. Temporal refuses a payload over 2 MB and terminates a workflow
 * whose history grows past its limit, and every step copies the order into its own input: an order is
 * kept to a size no real one comes near, and a client learns which field is too long before anything runs.
 */
export const ORDER_LIMITS = {
  /** Characters of an order ID (it is part of every workflow ID and idempotency key). */
  orderId: 64,
  paymentToken: 100,
  name: 200,
  email: 254,
  line1: 200,
  city: 100,
  postalCode: 20,
  country: 60,
  sku: 64,
  /** Line items of one order. */
  items: 100,
  /** The whole order as JSON, in bytes (UTF-8). */
  orderBytes: 64 * 1024,
} as const;

const ORDER_ID_PATTERN = /^[A-Za-z0-9._-]+$/;

/** 1900000 -> "1,900,000". */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A value as a message may show it: quoted, escaped, and cut short when long. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value) ?? String(value);
  return value.length > 40
    ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)`
    : JSON.stringify(value);
}

/**
 * Why `orderId` cannot be an order ID, or undefined when it can: 1-64 letters, digits, '.', '_' or '-'.
 * The one rule for order IDs: `npm run client -- --order`, the lessons' clients and order validation
 * all use it, so an ID that would be refused later is refused before anything starts.
 */
export function orderIdProblem(orderId: unknown): string | undefined {
  if (typeof orderId === 'string' && orderId.length <= ORDER_LIMITS.orderId && ORDER_ID_PATTERN.test(orderId)) {
    return undefined;
  }
  return `must be 1-${ORDER_LIMITS.orderId} letters, digits, '.', '_' or '-' (got ${shown(orderId)})`;
}

/** Bytes of `text` in UTF-8, without Node's Buffer (workflow code uses it too). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair: one character outside the BMP (an emoji)
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Why the order is too big as a whole, or undefined: its JSON is at most ORDER_LIMITS.orderBytes
 * (64 KiB), far under Temporal's 2 MB payload limit. Catches what no field limit does (an extra field).
 */
export function orderSizeProblem(order: unknown): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(order);
  } catch {
    return 'cannot be written as JSON';
  }
  const bytes = json === undefined ? 0 : utf8Bytes(json);
  return bytes > ORDER_LIMITS.orderBytes
    ? `is ${thousands(bytes)} bytes as JSON; an order may have at most ${thousands(ORDER_LIMITS.orderBytes)} (64 KiB)`
    : undefined;
}

/**
 * The problems with an order, each naming its field. Empty when the order is valid.
 * Pure, so both the services and workflow code can use it.
 */
export function orderProblems(order: unknown): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  const add = (field: string, reason: string) => problems.push({ field, reason });
  /** A string field that is too long: named, with its limit. */
  const bound = (field: string, value: unknown, max: number) => {
    if (typeof value === 'string' && value.length > max) {
      add(field, `is longer than ${max} characters (it has ${thousands(value.length)})`);
    }
  };
  if (typeof order !== 'object' || order === null) {
    add('order', 'must be an object');
    return problems;
  }
  const o = order as Partial<Order>;
  if (typeof o.orderId !== 'string' || o.orderId.trim() === '') add('orderId', 'is missing');
  else {
    const problem = orderIdProblem(o.orderId);
    if (problem) add('orderId', problem);
  }
  if (typeof o.paymentToken !== 'string' || o.paymentToken.trim() === '') add('paymentToken', 'is missing');
  bound('paymentToken', o.paymentToken, ORDER_LIMITS.paymentToken);

  const customer = o.customer as Partial<Customer> | undefined;
  if (typeof customer !== 'object' || customer === null) {
    add('customer', 'is missing');
  } else {
    bound('customer.name', customer.name, ORDER_LIMITS.name);
    if (typeof customer.email === 'string' && customer.email.length > ORDER_LIMITS.email) {
      bound('customer.email', customer.email, ORDER_LIMITS.email);
    } else if (typeof customer.email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(customer.email)) {
      add('customer.email', 'is missing or not an email address');
    }
    const address = customer.address as Partial<Address> | undefined;
    if (typeof address !== 'object' || address === null) {
      add('customer.address', 'is missing');
    } else {
      for (const key of ['name', 'line1', 'city', 'postalCode', 'country'] as const) {
        if (typeof address[key] !== 'string' || address[key]!.trim() === '') {
          add(`customer.address.${key}`, 'is missing');
        } else {
          bound(`customer.address.${key}`, address[key], ORDER_LIMITS[key]);
        }
      }
    }
  }

  if (!Array.isArray(o.items) || o.items.length === 0) {
    add('items', 'must contain at least one line item');
  } else if (o.items.length > ORDER_LIMITS.items) {
    add('items', `has ${o.items.length} lines; an order may have at most ${ORDER_LIMITS.items}`);
  } else {
    o.items.forEach((item: Partial<LineItem>, i) => {
      const at = `items[${i}]`;
      if (typeof item?.sku === 'string' && item.sku.length > ORDER_LIMITS.sku) {
        bound(`${at}.sku`, item.sku, ORDER_LIMITS.sku);
      } else if (typeof item?.sku !== 'string' || !findCatalogEntry(item.sku)) {
        add(`${at}.sku`, `is not a known SKU (${JSON.stringify(item?.sku)})`);
      }
      bound(`${at}.name`, item?.name, ORDER_LIMITS.name);
      if (!Number.isInteger(item?.quantity) || (item.quantity as number) <= 0) {
        add(`${at}.quantity`, `must be a whole number above 0 (got ${JSON.stringify(item?.quantity)})`);
      }
      const entry = typeof item?.sku === 'string' ? findCatalogEntry(item.sku) : undefined;
      if (!Number.isInteger(item?.unitPriceCents) || (item.unitPriceCents as number) <= 0) {
        add(
          `${at}.unitPriceCents`,
          `must be a whole number of cents above 0 (got ${JSON.stringify(item?.unitPriceCents)})`,
        );
      } else if (entry && item.unitPriceCents !== entry.priceCents) {
        // Prices are the catalog's: a client cannot buy a laptop for a cent.
        add(
          `${at}.unitPriceCents`,
          `is ${item.unitPriceCents}, but ${entry.sku} costs ${entry.priceCents} in the catalog (prices come from the catalog)`,
        );
      }
      const first = o.items!.findIndex((other: Partial<LineItem>) => other?.sku === item?.sku);
      if (entry && first < i) {
        add(`${at}.sku`, `repeats ${entry.sku} from items[${first}]: put it on one line with the total quantity`);
      }
    });
  }
  // Last: the fields above name the culprit when there is one.
  const size = orderSizeProblem(order);
  if (size) add('order', size);
  return problems;
}

function lineItem(sku: string, quantity: number): LineItem {
  const entry = findCatalogEntry(sku);
  if (!entry) throw new Error(`unknown SKU ${sku}`);
  return { sku, name: entry.name, quantity, unitPriceCents: entry.priceCents };
}

/** The seed's sample order: two line items totalling $1,059.97. */
export function sampleOrder(orderId = 'ORDER-001'): Order {
  return {
    orderId,
    customer: {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      address: {
        name: 'Ada Lovelace',
        line1: '12 Analytical Row',
        city: 'London',
        postalCode: 'N1 9GU',
        country: 'GB',
      },
    },
    items: [lineItem('LAPTOP-15', 1), lineItem('MOUSE-WL', 2)],
    paymentToken: 'tok_visa',
  };
}

const FIRST_NAMES = ['Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Linus'];
const CITIES = ['London', 'Berlin', 'Toronto', 'Austin', 'Lyon', 'Utrecht', 'Dublin', 'Oslo'];
const SELLABLE = CATALOG.filter((entry) => entry.initialStock > 0).map((entry) => entry.sku);

export function orderIdFor(index: number): string {
  return `ORDER-${String(index).padStart(3, '0')}`;
}

/**
 * A batch of `count` valid orders. Order 1 is the sample order; the rest vary by index only,
 * so every run (monolith or Temporal, any seed) sees the same orders. The seed drives faults.
 */
export function sampleBatch(count: number): Order[] {
  const orders: Order[] = [];
  for (let i = 1; i <= count; i++) {
    if (i === 1) {
      orders.push(sampleOrder());
      continue;
    }
    const first = FIRST_NAMES[i % FIRST_NAMES.length];
    const lines = 1 + (i % 3);
    const items: LineItem[] = [];
    for (let l = 0; l < lines; l++) {
      const sku = SELLABLE[(i * 7 + l * 3) % SELLABLE.length];
      if (items.some((item) => item.sku === sku)) continue;
      items.push(lineItem(sku, 1 + ((i + l) % 2)));
    }
    orders.push({
      orderId: orderIdFor(i),
      customer: {
        name: `${first} Customer${i}`,
        email: `${first.toLowerCase()}.${i}@example.com`,
        address: {
          name: `${first} Customer${i}`,
          line1: `${i} Main Street`,
          city: CITIES[i % CITIES.length],
          postalCode: `${10000 + i}`,
          country: 'GB',
        },
      },
      items,
      paymentToken: 'tok_visa',
    });
  }
  return orders;
}
