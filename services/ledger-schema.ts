/**
 * The ledger's tables: one per kind of effect (charges, refunds, reservations, ...), the calls every
 * service received, and the fences undos leave. Created on open when missing, so any process may open first.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS stock (
  sku TEXT PRIMARY KEY,
  on_hand INTEGER NOT NULL CHECK (on_hand >= 0)
);
CREATE TABLE IF NOT EXISTS calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  step TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  order_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS calls_by_key ON calls (step, idem_key);
CREATE TABLE IF NOT EXISTS charges (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  charge_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0)
);
CREATE TABLE IF NOT EXISTS refunds (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  refund_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  charge_id TEXT NOT NULL UNIQUE REFERENCES charges (charge_id),
  order_id TEXT NOT NULL,
  amount_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reservations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  reservation_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  items_json TEXT NOT NULL,
  item_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS releases (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idem_key TEXT NOT NULL UNIQUE,
  reservation_id TEXT NOT NULL UNIQUE REFERENCES reservations (reservation_id),
  order_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shipments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  shipment_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  tracking_number TEXT NOT NULL,
  carrier TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shipment_cancellations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idem_key TEXT NOT NULL UNIQUE,
  shipment_id TEXT NOT NULL UNIQUE REFERENCES shipments (shipment_id),
  order_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fences (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  step TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  undo_key TEXT NOT NULL,
  order_id TEXT NOT NULL,
  UNIQUE (step, idem_key)
);
CREATE TABLE IF NOT EXISTS disputes (
  charge_id TEXT PRIMARY KEY REFERENCES charges (charge_id),
  order_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  notification_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  email TEXT NOT NULL,
  subject TEXT NOT NULL
);
`;
