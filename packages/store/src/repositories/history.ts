import type { Queryable } from './queryable';

/** One hour of a site's finished jobs. */
export interface SiteHour {
  /** The hour's start (UTC), ISO 8601. */
  hour: string;
  /** Bytes written to the site by the jobs that ended in the hour. */
  bytesIn: number;
  /** Bytes the site sent out as a copy's source. */
  bytesOut: number;
  succeeded: number;
  failed: number;
}

/** What a site held after the last inventory of an hour. */
export interface InventoryHour {
  hour: string;
  images: number;
  bytes: number;
}

/** One hour of an owner's finished transfers (copies, imports, uploads), by final state. */
export interface TransferHour {
  hour: string;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** The transfers the Jobs view charts: the jobs that move image bytes. */
const transferOperations = ['copy', 'import', 'upload'];

/**
 * Every hour from `hours - 1` hours ago to this one, as rows of `h.at`: charts then show an hour
 * without jobs as zero rather than skipping it.
 */
const hourSeries = `generate_series(
  date_trunc('hour', now(), 'UTC') - make_interval(hours => $2::int - 1),
  date_trunc('hour', now(), 'UTC'), interval '1 hour') AS h (at)`;

const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/**
 * The hourly history the panel charts (migration activity-history): transfer_history, kept by a
 * trigger on jobs, and inventory_history, written with each inventory.
 */
export function historyRepository(db: Queryable) {
  return {
    /** A site's traffic and failures over the last `hours` hours, oldest first. */
    async siteHours(ownerId: string, siteId: string, hours: number): Promise<SiteHour[]> {
      const { rows } = await db.query<SiteHour>(
        `SELECT ${iso('h.at')} AS hour,
                coalesce(sum(t.bytes) FILTER (WHERE t.role = 'destination' AND t.state = 'succeeded'), 0)::float8 AS "bytesIn",
                coalesce(sum(t.bytes) FILTER (WHERE t.role = 'source' AND t.state = 'succeeded'), 0)::float8 AS "bytesOut",
                coalesce(sum(t.jobs) FILTER (WHERE t.state = 'succeeded'), 0)::int AS succeeded,
                coalesce(sum(t.jobs) FILTER (WHERE t.state = 'failed'), 0)::int AS failed
         FROM ${hourSeries}
         LEFT JOIN transfer_history t ON t.owner_id = $1 AND t.site_id = $3 AND t.hour = h.at
         GROUP BY h.at ORDER BY h.at`,
        [ownerId, hours, siteId],
      );
      return rows;
    },

    /** What the site held after each hour's last inventory over the last `hours` hours. */
    async inventoryHours(ownerId: string, siteId: string, hours: number): Promise<InventoryHour[]> {
      const { rows } = await db.query<InventoryHour>(
        `SELECT ${iso('hour')} AS hour, images, bytes::float8 AS bytes
         FROM inventory_history
         WHERE owner_id = $1 AND site_id = $3
           AND hour > date_trunc('hour', now(), 'UTC') - make_interval(hours => $2::int)
         ORDER BY hour`,
        [ownerId, hours, siteId],
      );
      return rows;
    },

    /** The owner's finished transfers per hour and final state, counted once per destination. */
    async transferHours(ownerId: string, hours: number, siteId?: string): Promise<TransferHour[]> {
      const { rows } = await db.query<TransferHour>(
        `SELECT ${iso('h.at')} AS hour,
                coalesce(sum(t.jobs) FILTER (WHERE t.state = 'succeeded'), 0)::int AS succeeded,
                coalesce(sum(t.jobs) FILTER (WHERE t.state = 'failed'), 0)::int AS failed,
                coalesce(sum(t.jobs) FILTER (WHERE t.state = 'cancelled'), 0)::int AS cancelled
         FROM ${hourSeries}
         LEFT JOIN transfer_history t ON t.owner_id = $1 AND t.hour = h.at
           AND t.role = 'destination' AND t.operation = ANY($3)
           AND ($4::uuid IS NULL OR t.site_id = $4)
         GROUP BY h.at ORDER BY h.at`,
        [ownerId, hours, transferOperations, siteId ?? null],
      );
      return rows;
    },

    /** Notes what the site holds now, as its inventory just recorded it, under this hour. */
    async recordInventory(ownerId: string, siteId: string): Promise<void> {
      await db.query(
        `INSERT INTO inventory_history (owner_id, site_id, hour, images, bytes, taken_at)
         SELECT $1, $2, date_trunc('hour', now(), 'UTC'), count(*), coalesce(sum(size), 0), now()
         FROM site_images WHERE owner_id = $1 AND site_id = $2
         ON CONFLICT (owner_id, site_id, hour) DO UPDATE
           SET images = EXCLUDED.images, bytes = EXCLUDED.bytes, taken_at = EXCLUDED.taken_at`,
        [ownerId, siteId],
      );
    },
  };
}

export type HistoryRepository = ReturnType<typeof historyRepository>;
