export * from './site';
export * from './image';
export * from './backoff';
export * from './jobs';
export * from './url-guard';
export * from './events';
export * from './delete-safeguards';
