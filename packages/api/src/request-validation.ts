import AjvCompiler, { type BuildCompilerFromPool, type ErrorObject } from '@fastify/ajv-compiler';

type Validate = ReturnType<ReturnType<BuildCompilerFromPool>>;

const fromPool = AjvCompiler();

/** The path (as Ajv writes it) to a number in `data` that is not finite, if there is one. */
function nonFinite(data: unknown, path: string): string | undefined {
  if (typeof data === 'number') return Number.isFinite(data) ? undefined : path;
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [key, value] of Object.entries(data)) {
    const found = nonFinite(value, `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Ajv coerces the text "Infinity" to a number and then checks no bound against it (a coerced value
 * skips the type's finiteness test, and `maximum` only looks at finite numbers), so `limit=Infinity`
 * would reach PostgreSQL. Such numbers are refused after Ajv has passed them.
 */
function finiteOnly(validate: Validate): Validate {
  const check = ((data: unknown, context?: unknown) => {
    if (!(validate as (data: unknown, context?: unknown) => boolean)(data, context)) {
      check.errors = validate.errors;
      return false;
    }
    const path = nonFinite(data, '');
    if (path === undefined) {
      check.errors = null;
      return true;
    }
    const issue: ErrorObject = {
      keyword: 'type',
      instancePath: path,
      schemaPath: '#',
      params: {},
      message: 'must be a finite number',
    };
    check.errors = [issue];
    return false;
  }) as unknown as Validate;
  // Fastify hands Ajv the parent of the validated part only when this marks an Ajv function.
  Object.assign(check, { schemaEnv: validate.schemaEnv });
  return check;
}

/**
 * The validators of every route, by the part of the request they check. Query strings and path
 * parameters are text, so their values are coerced to the schema's types ("50" → 50, one
 * `?site=` → [site]). JSON bodies carry their own types, and coercing them would store
 * `{"name": 123}` as "123" and `{"name": ["a"]}` as "a": they must match the schema as sent.
 */
export const buildValidator: BuildCompilerFromPool = (externalSchemas, options) => {
  const customOptions = { ...options?.customOptions };
  const coercing = fromPool(externalSchemas, { ...options, customOptions } as typeof options);
  const exact = fromPool(externalSchemas, {
    ...options,
    customOptions: { ...customOptions, coerceTypes: false },
  } as typeof options);
  return (route) => finiteOnly(route.httpPart === 'body' ? exact(route) : coercing(route));
};
