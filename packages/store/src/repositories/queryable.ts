import type { Pool } from 'pg';

/** The pool, or one client of it inside a transaction. */
export type Queryable = Pick<Pool, 'query'>;

/** A page of rows that carry `count(*) OVER () AS total`: the rows without it, and the count. */
export function pageOf<Row>(rows: (Row & { total: string })[]): { items: Row[]; total: number } {
  const total = rows.length > 0 ? Number(rows[0]!.total) : 0;
  return { items: rows.map(({ total: _total, ...row }) => row as Row), total };
}
