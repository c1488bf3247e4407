import { loggerOptions as commonLoggerOptions } from '@glint/core';
import { siteSecretFields } from '@glint/cloud-adapters';

/** Fastify's logger: JSON lines, with every site type's credential secrets redacted too. */
export function loggerOptions(level: string): ReturnType<typeof commonLoggerOptions> {
  return commonLoggerOptions(level, siteSecretFields());
}
