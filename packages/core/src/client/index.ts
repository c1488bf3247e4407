/**
 * What the API's two clients, the CLI and the panel, share. The panel bundles it for the browser
 * (`@glint/core/client`), so nothing here may import a Node module or the rest of core.
 */
export * from './api-error';
export * from './text';
// Site labels are checked by both clients as the API checks them (selectors.ts imports no Node
// module, only a type).
export { labelProblems } from '../selectors';
export * from './selector-text';
