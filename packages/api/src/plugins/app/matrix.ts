import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { CellFacts, MatrixSortKey } from '@glint/store';
import type { ProjectCaller } from '../../caller';
import { ApiError } from '../../errors';
import { cellState, driftOf, placedByOf } from '../../cell-state';
import type { Matrix, MatrixQuery } from '../../schemas/matrix';

type MatrixRowPage = Awaited<ReturnType<FastifyInstance['repositories']['matrix']['rows']>>;
type MatrixColumns = Matrix['columns'];

/** The image matrix: a page of the caller's project's images as rows, each with a cell per site. */
export class MatrixService {
  constructor(private readonly fastify: FastifyInstance) {}

  async page(caller: ProjectCaller, query: MatrixQuery): Promise<Matrix> {
    const { name, visibility, conflicts, image, sort, offset, limit } = query;
    const repository = this.fastify.repositories.matrix;
    const [columns, page] = await Promise.all([
      repository.columns(caller.ownerId, labelFilter(query.label ?? [])),
      repository.rows(caller.ownerId, {
        name,
        visibility,
        conflictsOnly: conflicts,
        imageIds: image,
        sort:
          sort === undefined
            ? undefined
            : { key: sort.replace(/^-/, '') as MatrixSortKey, descending: sort.startsWith('-') },
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
      page: { offset, limit, total: page.total },
    };
  }
}

function rowsOf(columns: MatrixColumns, page: MatrixRowPage, facts: CellFacts[]): Matrix['rows'] {
  const cellsOf = new Map(page.rows.map((row) => [row.id, new Map<string, CellFacts>()]));
  for (const fact of facts) cellsOf.get(fact.imageId)!.set(fact.siteId, fact);
  return page.rows.map(({ hashAlgo, hashValue, ...row }) => {
    const cells = cellsOf.get(row.id)!;
    return {
      ...row,
      hash: hashAlgo && hashValue ? { algo: hashAlgo, value: hashValue } : null,
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
