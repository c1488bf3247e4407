/**
 * What the Describe calls of owned resources share: `Owner` (only the caller's own exist here),
 * the id list (every id must exist), `Filter`, and paging.
 */
import type { ActionContext } from '../context';
import type { ApiError } from '../errors';
import { matchesFilters, page, type Fields } from '../filters';
import { filters } from '../query';
import type { Owned } from '../state';

export interface DescribeSpec<T extends Owned> {
  all: Map<string, T>;
  /** The id list's name in the request, e.g. `ImageId`. */
  idParam: string;
  id(resource: T): string;
  checkId(id: string): void;
  fields(resource: T): Fields;
  notFound(ids: string[]): ApiError;
  /** Whether the API sees the resource yet; a new one may not be (eventual consistency). */
  visible?(resource: T): boolean;
}

export function describeOwned<T extends Owned>(
  { state, caller, region, params }: ActionContext,
  spec: DescribeSpec<T>,
): { items: T[]; nextToken?: string } {
  const owners = params.list('Owner');
  const ids = params.list(spec.idParam);
  ids.forEach(spec.checkId);
  const wanted = filters(params);
  // The emulator holds no public or shared resources: every owner but the caller has none.
  const ownerSeen =
    !owners.length || owners.some((o) => o === 'self' || o === caller.account.accountId);
  const found = state
    .owned(spec.all, region, caller.account.accountId)
    .filter(
      (resource) =>
        ownerSeen &&
        (spec.visible?.(resource) ?? true) &&
        (!ids.length || ids.includes(spec.id(resource))) &&
        matchesFilters(wanted, spec.fields(resource), resource.tags),
    );
  const missing = ids.filter((id) => !found.some((resource) => spec.id(resource) === id));
  if (missing.length) throw spec.notFound(missing);
  return page(found, params);
}
