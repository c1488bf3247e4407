/**
 * TypeBox, which is ESM-only: Node ≥ 20.19 loads it through require(), and jest through Babel.
 */
type TypeBox = typeof import('typebox', { with: { 'resolution-mode': 'import' } });

export const { Type } = require('typebox') as TypeBox;
export type { Static, TSchema } from 'typebox' with { 'resolution-mode': 'import' };
