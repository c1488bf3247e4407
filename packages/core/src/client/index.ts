/**
 * What the API's two clients, the CLI and the panel, share (`@glint/core/client`). The panel
 * bundles it for the browser, so nothing here may import a Node module or the rest of core; the
 * CLI requires it alone, as the rest of core (TypeBox, BullMQ…) would slow every command's start.
 */
export * from './api-error';
export * from './text';
// Site labels and selectors are checked by both clients as the API checks them (selectors.ts
// imports no Node module, only a type).
export { labelProblems, selectorIsEmpty } from '../selectors';
export * from './selector-text';
