export { redisEventPublisher, type PublishEvents } from './events';
export { siteImageFrom, takeInventory } from './inventory';
export { openSiteAdapter, SiteGoneError } from './site-adapter';
export { inventoryWorker, type WorkerOptions } from './workers/inventory';
export { displayUrl, fetchImage, ImageFetchError } from './image-fetch';
export { importWorker, type ImportWorkerOptions } from './workers/import';
