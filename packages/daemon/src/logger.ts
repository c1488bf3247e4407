import { loggerOptions } from '@glint/core';
import { siteSecretFields } from '@glint/cloud-adapters';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The daemon's log: JSON lines on stderr (where systemd's journal and the tests read them), each
 * message starting `glint-daemon: `, with the API's secret redaction. Lines about a job come from
 * its child logger (jobLogger), so each names the job, its owner, its sites and the API request
 * that asked for it.
 */
export function daemonLogger(level: string, name: string): Logger {
  return pino(
    {
      ...loggerOptions(level, siteSecretFields()),
      msgPrefix: 'glint-daemon: ',
      base: { daemon: name },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** The message-and-error logging the daemon's parts take, onto `logger`. */
export function logTo(logger: Logger): (message: string, error?: unknown) => void {
  return (message, error) => {
    if (error === undefined) logger.info(message);
    else logger.error({ err: error }, message);
  };
}
