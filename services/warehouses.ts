/**
 * Where the stock lives: the inventory system keeps every SKU in one of three warehouses, and a
 * reservation is made at one warehouse for the items it holds (lesson 03 reserves at each warehouse an
 * order needs, all at once). Each warehouse is a branch for the fault plan and the latency plan:
 * `ORDER_FAULTS=inventory.west=always` fails only the west warehouse's reservations.
 *
 * Plain data and pure functions, so workflow code may import it (no Node modules, no I/O).
 */
import type { LineItem } from './orders';

export const WAREHOUSES = ['east', 'west', 'central'] as const;
export type Warehouse = (typeof WAREHOUSES)[number];

/** Which warehouse stocks each SKU of the catalog (services/orders.ts). */
export const STOCKED_AT: Readonly<Record<string, Warehouse>> = {
  'LAPTOP-15': 'east',
  'HEADSET-BT': 'east',
  'MOUSE-WL': 'west',
  'MONITOR-27': 'west',
  // Sold out (initial stock 0): an order with it fails at the west warehouse, whatever the others do.
  'VINTAGE-CAMERA': 'west',
  'KEYBOARD-MX': 'central',
  'USB-C-HUB': 'central',
};

/** The warehouse that stocks `sku`; an unknown SKU is `east`'s to refuse (validation refuses it first). */
export function warehouseOf(sku: string): Warehouse {
  return STOCKED_AT[sku] ?? 'east';
}

/** One warehouse's part of an order: the lines it ships. */
export interface WarehouseParcel {
  warehouse: Warehouse;
  items: Pick<LineItem, 'sku' | 'quantity'>[];
}

/**
 * The order's lines grouped by the warehouse that stocks them, in the order of WAREHOUSES, leaving out
 * warehouses the order does not need. The sample order (a laptop and two mice): east, then west.
 */
export function splitByWarehouse(items: readonly Pick<LineItem, 'sku' | 'quantity'>[]): WarehouseParcel[] {
  return WAREHOUSES.map((warehouse) => ({
    warehouse,
    items: items.filter((item) => warehouseOf(item.sku) === warehouse).map(({ sku, quantity }) => ({ sku, quantity })),
  })).filter((parcel) => parcel.items.length > 0);
}
