/**
 * What the API's two clients, the CLI and the panel, share. The panel bundles it for the browser
 * (`@glint/core/client`), so nothing here may import a Node module or the rest of core.
 */
export * from './api-error';
export * from './text';
