export * from './credential-cipher';
export * from './credential-vault';
export * from './migrations';
export * from './repositories';
export * from './planner';
export * from './rule-evaluation';
export * from './plan-jobs';
export * from './outbox';
export { isStorableText, unstorableTextIn } from './storable-text';
