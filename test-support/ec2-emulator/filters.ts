/**
 * EC2's `Filter` semantics: every filter must match (AND), any of a filter's values may match (OR),
 * values take `*` and `?` wildcards, `tag:<key>` matches a tag's value and `tag-key` its key. A
 * filter name a call does not know is an error, as in EC2. Also the `MaxResults`/`NextToken` paging.
 */
import { ApiError } from './errors';
import type { QueryParams, Filter } from './query';
import type { Tags } from './state';

export type Fields = Record<string, string | string[] | undefined>;

function wildcard(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function matchesFilters(filters: Filter[], fields: Fields, tags: Tags): boolean {
  return filters.every((filter) => {
    let candidates: (string | undefined)[];
    if (filter.name.startsWith('tag:')) candidates = [tags.get(filter.name.slice(4))];
    else if (filter.name === 'tag-key') candidates = [...tags.keys()];
    else if (filter.name in fields) candidates = [fields[filter.name]].flat();
    else throw new ApiError('InvalidParameterValue', `The filter '${filter.name}' is invalid`);
    const patterns = filter.values.map(wildcard);
    return candidates.some((c) => c !== undefined && patterns.some((p) => p.test(c)));
  });
}

/**
 * One page of `items`, of MaxResults or else `defaultSize` (all when not given); the token is the
 * offset, opaque to the client.
 */
export function page<T>(
  items: T[],
  params: QueryParams,
  defaultSize?: number,
): { items: T[]; nextToken?: string } {
  const max = params.int('MaxResults') ?? defaultSize;
  const token = params.get('NextToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) {
    throw new ApiError('InvalidParameterValue', `The token '${token}' is invalid.`);
  }
  const end = max === undefined ? items.length : start + max;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}
