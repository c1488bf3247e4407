export { loggerOptions } from '@glint/core';
