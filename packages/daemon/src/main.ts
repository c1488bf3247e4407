#!/usr/bin/env node
/** `glint-daemon`: runs Glint's workers until SIGTERM or SIGINT, configured by environment. */
import { ConfigError } from '@glint/core';
import { loadDaemonConfig } from './config';
import { startDaemon } from './daemon';
import { daemonLogger, logTo } from './logger';

/** Before the settings are read there is no logger: a plain line, as for any command. */
let log = (message: string, error?: unknown) =>
  console.error(`glint-daemon: ${message}${error ? `: ${(error as Error).message}` : ''}`);

async function main(): Promise<void> {
  let config;
  try {
    config = loadDaemonConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log(`cannot start: ${error.message}`);
    process.exit(2);
  }
  const logger = daemonLogger(config.logLevel, config.name);
  log = logTo(logger);
  const daemon = await startDaemon(config, log, logger);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping: taking no more jobs, waiting for the running ones');
    const finished = await daemon.stop();
    if (!finished) log('grace period over: the transfers still running were handed back');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  log(
    `${config.name} running ${daemon.workers.map((w) => w.name).join(', ')}; ` +
      `${config.concurrency} transfers at once here, ${config.siteTransferLimit} per site overall` +
      (daemon.ops
        ? `; /metrics, /healthz and /readyz on ${config.metrics!.host}:${daemon.ops.port}`
        : ''),
  );
  for (const warning of daemon.warnings) logger.warn(warning);
}

main().catch((error: unknown) => {
  log('failed', error);
  process.exit(1);
});
