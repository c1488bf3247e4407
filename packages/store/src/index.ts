export * from './credential-cipher';
export * from './migrations';
export * from './repositories';
