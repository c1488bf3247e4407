export * from './settings';
export * from './load-settings';
export * from './byte-rate';
