import type * as Undici from 'undici';

/*
 * The parts of undici Glint uses, loaded without its index, which also loads fetch, WebSocket,
 * EventSource, the caches and the mocks: about 13 MiB of resident memory in every process that
 * reaches a cloud, and none of it used.
 */
export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export const buildConnector = require('undici/lib/core/connect') as typeof Undici.buildConnector;
const apiRequest = require('undici/lib/api/api-request') as (
  this: Undici.Dispatcher,
  options: Undici.Dispatcher.RequestOptions,
) => Promise<Undici.Dispatcher.ResponseData>;

export type Agent = Undici.Agent;

export type RequestOptions = Omit<
  Undici.Dispatcher.RequestOptions,
  'origin' | 'path' | 'method'
> & {
  method?: Undici.Dispatcher.HttpMethod;
  dispatcher: Undici.Dispatcher;
};

/** undici's `request(url, options)`, always on the dispatcher given. */
export function request(
  url: string | URL,
  { dispatcher, ...options }: RequestOptions,
): Promise<Undici.Dispatcher.ResponseData> {
  const target = typeof url === 'string' ? new URL(url) : url;
  return apiRequest.call(dispatcher, {
    ...options,
    origin: target.origin,
    path: `${target.pathname}${target.search}`,
    method: options.method ?? (options.body ? 'PUT' : 'GET'),
  });
}
