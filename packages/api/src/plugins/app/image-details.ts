import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ProjectCaller } from '../../caller';
import { cellState } from '../../cell-state';
import { notFound } from '../../errors';
import type { ImageDetails } from '../../schemas/images';

/** One image of the caller's project in full: its matrix row, with every copy each site holds. */
export class ImageDetailsService {
  constructor(private readonly fastify: FastifyInstance) {}

  async of(caller: ProjectCaller, id: string): Promise<ImageDetails> {
    const { ownerId } = caller;
    const { matrix, inventory } = this.fastify.repositories;
    const [columns, page, facts, copies] = await Promise.all([
      matrix.columns(ownerId),
      matrix.rows(ownerId, { imageIds: [id], offset: 0, limit: 1 }),
      matrix.cells(ownerId, [id]),
      inventory.copiesOf(ownerId, id),
    ]);
    const row = page.rows[0];
    if (!row) throw notFound('image', id);
    const { hashAlgo, hashValue, ...image } = row;
    return {
      ...image,
      hash: hashAlgo && hashValue ? { algo: hashAlgo, value: hashValue } : null,
      sites: columns.map((column) => {
        const fact = facts.find((f) => f.siteId === column.id)!;
        const { state, ...rest } = cellState(fact, row.conflict);
        return {
          siteId: column.id,
          siteName: column.name,
          state,
          wanted: fact.wanted,
          ...('message' in rest && { message: rest.message }),
          copies: copies
            .filter((copy) => copy.siteId === column.id)
            .map(({ siteId: _site, hashAlgo: algo, hashValue: value, seenAt, ...copy }) => ({
              ...copy,
              hash: algo && value ? { algo, value } : null,
              seenAt: seenAt.toISOString(),
            })),
        };
      }),
    };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    imageDetails: ImageDetailsService;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('imageDetails', new ImageDetailsService(fastify));
  },
  { name: 'image-details', dependencies: ['repositories'] },
);
