/**
 * TypeBox, for schemas that are both TypeScript types and JSON Schema. It is ESM-only; Node ≥ 20.19
 * loads it through require(), and jest through Babel.
 */
type TypeBox = typeof import('typebox', { with: { 'resolution-mode': 'import' } });
type TypeBoxCompile = typeof import('typebox/compile', { with: { 'resolution-mode': 'import' } });

export const { Type } = require('typebox') as TypeBox;
export const { Compile } = require('typebox/compile') as TypeBoxCompile;
export type { Static, TSchema } from 'typebox' with { 'resolution-mode': 'import' };
