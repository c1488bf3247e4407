import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { CellFacts, MatrixFilter, MatrixSortKey } from '@glint/store';
import type { ProjectCaller } from '../../caller';
import { ApiError } from '../../errors';
import { cellState, driftOf, placedByOf } from '../../cell-state';
import { familyRow } from '../../matrix-families';
import type { Matrix, MatrixQuery } from '../../schemas/matrix';

type MatrixRowPage = Awaited<ReturnType<FastifyInstance['repositories']['matrix']['rows']>>;
type MatrixColumns = Matrix['columns'];

/** The image matrix: a page of the caller's project's images as rows, each with a cell per site. */
export class MatrixService {
  constructor(private readonly fastify: FastifyInstance) {}

  async page(caller: ProjectCaller, query: MatrixQuery): Promise<Matrix> {
    const { name, visibility, conflicts, image, sort, offset, limit } = query;
    const repository = this.fastify.repositories.matrix;
    const filter = {
      name,
      visibility,
      conflictsOnly: conflicts,
      imageIds: image,
      sort:
        sort === undefined
          ? undefined
          : { key: sort.replace(/^-/, '') as MatrixSortKey, descending: sort.startsWith('-') },
    };
    const [columns, page] = await Promise.all([
      repository.columns(caller.ownerId, labelFilter(query.label ?? [])),
      repository.rows(caller.ownerId, {
        ...filter,
        versionsApart: query.group === 'family',
        familyId: query.family,
        offset,
        limit,
      }),
    ]);
    const facts = await repository.cells(
      caller.ownerId,
      page.rows.map((row) => row.id),
    );
    return {
      columns,
      rows: rowsOf(columns, page, facts),
      families: await this.families(caller.ownerId, query, filter, columns, page),
      page: { offset, limit, total: page.total },
    };
  }

  /**
   * The families of the page's rows, by name; grouped by family, those of every row left out that
   * passes the filter, however many pages the rest takes, so each family row is there from the
   * first page, in the sort's order, each with its place among the rows (`at`).
   */
  private async families(
    ownerId: string,
    query: MatrixQuery,
    filter: Omit<MatrixFilter, 'offset' | 'limit'>,
    columns: MatrixColumns,
    page: MatrixRowPage,
  ): Promise<Matrix['families']> {
    const repository = this.fastify.repositories.matrix;
    if (query.group === 'family') {
      const places = await repository.familiesOf(ownerId, filter);
      const summaries = new Map(
        (
          await repository.familySummaries(
            ownerId,
            places.map((place) => place.familyId),
          )
        ).map((summary) => [summary.id, summary]),
      );
      return places.map(({ familyId, rows, at }) => ({
        ...familyRow(summaries.get(familyId)!, columns, rows),
        at,
      }));
    }
    const counts = new Map<string, number>();
    for (const { familyId } of page.rows)
      if (familyId) counts.set(familyId, (counts.get(familyId) ?? 0) + 1);
    const summaries = await repository.familySummaries(ownerId, [...counts.keys()]);
    return summaries.map((summary) => familyRow(summary, columns, counts.get(summary.id)!));
  }
}

function rowsOf(columns: MatrixColumns, page: MatrixRowPage, facts: CellFacts[]): Matrix['rows'] {
  const cellsOf = new Map(page.rows.map((row) => [row.id, new Map<string, CellFacts>()]));
  for (const fact of facts) cellsOf.get(fact.imageId)!.set(fact.siteId, fact);
  return page.rows.map(({ hashAlgo, hashValue, familyId, family, versionId, version, ...row }) => {
    const cells = cellsOf.get(row.id)!;
    return {
      ...row,
      hash: hashAlgo && hashValue ? { algo: hashAlgo, value: hashValue } : null,
      release:
        familyId && family && versionId && version
          ? { familyId, family, versionId, version }
          : null,
      cells: columns.map((column) => {
        // The cells query joins every row with every site, so each cell has its facts.
        const fact = cells.get(column.id)!;
        const drift = driftOf(fact);
        const placedBy = placedByOf(fact);
        return {
          siteId: column.id,
          wanted: fact.wanted,
          selfHeal: fact.selfHeal,
          ...(drift && { drift }),
          cloudImageId: fact.cloudImageId,
          ...(fact.hidden && { hidden: true as const }),
          ...cellState(fact, row.conflict),
          ...(placedBy && { placedBy }),
        };
      }),
    };
  });
}

/** `label=key=value` parameters as one map; a key given twice with two values is a 400. */
function labelFilter(labels: string[]): Record<string, string> {
  const filter = new Map<string, string>();
  for (const label of labels) {
    const [key, value] = label.split('=') as [string, string];
    const earlier = filter.get(key);
    if (earlier !== undefined && earlier !== value)
      throw new ApiError(
        400,
        'invalid_label_filter',
        `label ${key} is asked for with two values (${earlier}, ${value}); no site carries both: give one`,
      );
    filter.set(key, value);
  }
  return Object.fromEntries(filter);
}

declare module 'fastify' {
  interface FastifyInstance {
    matrix: MatrixService;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('matrix', new MatrixService(fastify));
  },
  { name: 'matrix', dependencies: ['repositories'] },
);
