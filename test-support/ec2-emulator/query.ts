/**
 * The flattened parameters of a Query-protocol request (`Filter.1.Name=…&Filter.1.Value.1=…`), read
 * back as the structures and lists the SDK serialized. AWS numbers list members from 1.
 */
import { ApiError } from './errors';

export class QueryParams {
  constructor(
    private readonly values: ReadonlyMap<string, string>,
    private readonly prefix = '',
  ) {}

  static parse(body: string): QueryParams {
    return new QueryParams(new Map(new URLSearchParams(body)));
  }

  get(name: string): string | undefined {
    return this.values.get(this.prefix + name);
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined || value === '') {
      throw new ApiError('MissingParameter', `The request must contain the parameter ${name}`);
    }
    return value;
  }

  /** A parameter that must be one of `valid` when given, refused in EC2's words otherwise. */
  choice(name: string, valid: string[]): string | undefined {
    const value = this.get(name);
    if (value !== undefined && !valid.includes(value)) {
      const parameter = name[0]!.toLowerCase() + name.slice(1);
      throw new ApiError(
        'InvalidParameterValue',
        `Value (${value}) for parameter ${parameter} is invalid. Valid values: ${valid.join(', ')}`,
      );
    }
    return value;
  }

  flag(name: string): boolean | undefined {
    const value = this.get(name);
    return value === undefined ? undefined : value === 'true';
  }

  int(name: string): number | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed)) {
      throw new ApiError(
        'InvalidParameterValue',
        `Value (${value}) for parameter ${name} is invalid.`,
      );
    }
    return parsed;
  }

  /** The structure under `name.` */
  struct(name: string): QueryParams | undefined {
    const inner = `${this.prefix}${name}.`;
    for (const key of this.values.keys()) {
      if (key.startsWith(inner)) return new QueryParams(this.values, inner);
    }
    return undefined;
  }

  /** The structures `name.1.`, `name.2.`, … in order. */
  structs(name: string): QueryParams[] {
    return this.indexes(name).map(
      (i) => new QueryParams(this.values, `${this.prefix}${name}.${i}.`),
    );
  }

  /** The scalars `name.1`, `name.2`, … in order. */
  list(name: string): string[] {
    return this.indexes(name)
      .map((i) => this.values.get(`${this.prefix}${name}.${i}`))
      .filter((v): v is string => v !== undefined);
  }

  private indexes(name: string): number[] {
    const inner = `${this.prefix}${name}.`;
    const found = new Set<number>();
    for (const key of this.values.keys()) {
      if (!key.startsWith(inner)) continue;
      const index = Number(key.slice(inner.length).split('.')[0]);
      if (Number.isInteger(index) && index > 0) found.add(index);
    }
    return [...found].sort((a, b) => a - b);
  }
}

export interface Filter {
  name: string;
  values: string[];
}

/** EC2 sends `Filter.N.Name` / `Filter.N.Value.M`; the import-task calls name the list `Filters`. */
export function filters(params: QueryParams, listName = 'Filter'): Filter[] {
  return params
    .structs(listName)
    .map((f) => ({ name: f.require('Name'), values: f.list('Value') }));
}

export interface Tag {
  key: string;
  value: string;
}

export function tags(params: QueryParams): Tag[] {
  return params.structs('Tag').map((t) => ({ key: t.require('Key'), value: t.get('Value') ?? '' }));
}

export interface TagSpecification {
  resourceType: string;
  tags: Tag[];
}

export function tagSpecifications(params: QueryParams): TagSpecification[] {
  return params
    .structs('TagSpecification')
    .map((spec) => ({ resourceType: spec.require('ResourceType'), tags: tags(spec) }));
}
