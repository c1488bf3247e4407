import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CellFacts, MatrixSortKey } from '@glint/store';
import { cellState, driftOf } from '../../../cell-state';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { Matrix, MatrixQuery } from '../../../schemas/matrix';

const matrix: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags: ['matrix'],
        summary: 'Your images (rows) on your sites (columns), as the last inventory saw them',
        querystring: MatrixQuery,
        response: { 200: Matrix, ...errorReplies },
      },
    },
    async (request): Promise<Matrix> => {
      const ownerId = projectCallerOf(request).ownerId;
      const { name, visibility, conflicts, image, sort, offset, limit } = request.query;
      const repository = fastify.repositories.matrix;
      const [columns, page] = await Promise.all([
        repository.columns(ownerId),
        repository.rows(ownerId, {
          name,
          visibility,
          conflictsOnly: conflicts,
          imageIds: image,
          sort:
            sort === undefined
              ? undefined
              : {
                  key: sort.replace(/^-/, '') as MatrixSortKey,
                  descending: sort.startsWith('-'),
                },
          offset,
          limit,
        }),
      ]);
      const facts = await repository.cells(
        ownerId,
        page.rows.map((row) => row.id),
      );
      const cellsOf = new Map(page.rows.map((row) => [row.id, new Map<string, CellFacts>()]));
      for (const fact of facts) cellsOf.get(fact.imageId)!.set(fact.siteId, fact);
      return {
        columns,
        rows: page.rows.map(({ hashAlgo, hashValue, ...row }) => {
          const cells = cellsOf.get(row.id)!;
          return {
            ...row,
            hash: hashAlgo && hashValue ? { algo: hashAlgo, value: hashValue } : null,
            cells: columns.map((column) => {
              // The cells query joins every row with every site, so each cell has its facts.
              const fact = cells.get(column.id)!;
              const drift = driftOf(fact);
              return {
                siteId: column.id,
                wanted: fact.wanted,
                selfHeal: fact.selfHeal,
                ...(drift && { drift }),
                cloudImageId: fact.cloudImageId,
                ...cellState(fact, row.conflict),
              };
            }),
          };
        }),
        page: { offset, limit, total: page.total },
      };
    },
  );
};

export default matrix;
