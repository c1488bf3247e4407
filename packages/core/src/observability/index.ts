export * from './logger-options';
export * from './metrics-registry';
export * from './metrics-access';
export * from './readiness';
