import type { Queryable } from './queryable';
import { inventoryCopies } from './inventory/copies';
import { inventoryListing } from './inventory/listing';

export type { InventoryOutcome, SeenCopy, SiteImage } from './inventory/records';

/** What each site holds, as its inventories and the jobs between them saw it (see ./inventory/). */
export function inventoryRepository(db: Queryable) {
  return { ...inventoryListing(db), ...inventoryCopies(db) };
}

export type InventoryRepository = ReturnType<typeof inventoryRepository>;
