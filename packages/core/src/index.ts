export * from './site';
export * from './image';
export * from './backoff';
export * from './jobs';
