import type { ApiClient } from './api-client';
import type { Matrix, MatrixColumn, MatrixRow, Site } from '@glint/api/replies';
import { CliError } from './errors';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listSites(client: ApiClient): Promise<Site[]> {
  return (await client.get<{ sites: Site[] }>('/sites')).sites;
}

/** A site by its id or its name (unique per user in any letter case). */
export function findSite(sites: Site[], ref: string): Site {
  const site =
    sites.find((s) => s.id === ref.toLowerCase()) ??
    sites.find((s) => s.name.toLowerCase() === ref.toLowerCase());
  if (!site) {
    throw new CliError(
      `no site is called "${ref}"${sites.length ? `; yours are: ${sites.map((s) => s.name).join(', ')}` : ' (you have none yet: add one with glint site add)'}`,
    );
  }
  return site;
}

export async function resolveSites(client: ApiClient, refs: string[]): Promise<Site[]> {
  const sites = await listSites(client);
  return refs.map((ref) => findSite(sites, ref));
}

/** Every image (matrix row) of the user, with the sites as columns. */
export async function listImages(
  client: ApiClient,
  query: { name?: string; image?: string[] } = {},
): Promise<{ columns: MatrixColumn[]; rows: MatrixRow[] }> {
  const { items, last } = await client.all<Matrix, MatrixRow>('/matrix', (m) => m.rows, query);
  return { columns: last.columns, rows: items };
}

/** An image by its id or its exact name; a name two contents share must be given by id. */
export function findImage(rows: MatrixRow[], ref: string): MatrixRow {
  const byId = rows.find((row) => row.id === ref.toLowerCase());
  if (byId) return byId;
  const named = rows.filter((row) => row.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new CliError(
      `${named.length} different images are called "${ref}" (same name, other content): give the id of one: ${named.map((r) => r.id).join(', ')}`,
    );
  }
  throw new CliError(`no image is called "${ref}": see glint image list`);
}

export async function resolveImage(
  client: ApiClient,
  ref: string,
): Promise<{ row: MatrixRow; columns: MatrixColumn[] }> {
  const query = uuid.test(ref) ? { image: [ref.toLowerCase()] } : { name: ref };
  const { rows, columns } = await listImages(client, query);
  return { row: findImage(rows, ref), columns };
}
