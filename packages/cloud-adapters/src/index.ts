export * from './adapter';
export * from './errors';
export * from './error-class';
export * from './diagnostics';
export * from './registry';
export { guardedConnector, outboundRefusal } from './outbound';
export * from './openstack';
export * from './transfer';
export * from './ec2';
