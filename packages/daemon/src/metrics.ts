import {
  ERROR_CLASSES,
  errorClassOf,
  loginChannel,
  type ErrorClass,
  type LoginReport,
} from '@glint/cloud-adapters';
import { JOBS, metricsRegistry } from '@glint/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { currentSite } from './site-scope';
import type { JobFailure } from './workers/lifecycle';

/** Seconds, from a tenth of a second to two hours: a delete takes the first, a big copy the last. */
const durationBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Bytes per second, from 1 MB/s to 2 GB/s. */
const throughputBuckets = [1e6, 5e6, 1e7, 2.5e7, 5e7, 1e8, 2.5e8, 5e8, 1e9, 2e9];
const loginBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How a site's part in one job attempt ended. */
export type SiteOutcome = 'succeeded' | 'failed';

/**
 * The daemon's metrics. Labels are bounded by construction: a site is its id (there are as many as
 * sites, and once sites carry labels, those), a job its kind, an error its class (ERROR_CLASSES).
 * No user, project or image name ever becomes a label.
 */
export class DaemonMetrics {
  readonly registry: Registry = metricsRegistry();
  private readonly seenSites = new Set<string>();

  private readonly jobs = new Counter({
    name: 'glint_jobs_total',
    help: 'Jobs that reached a final state, by kind and state (succeeded, failed, cancelled).',
    labelNames: ['kind', 'state'],
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'glint_job_retries_total',
    help: 'Job attempts that failed with an error that may clear, and are retried after a back-off.',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly jobDuration = new Histogram({
    name: 'glint_job_duration_seconds',
    help: "A job's last attempt, from a worker taking it up to its final state.",
    labelNames: ['kind', 'state'],
    buckets: durationBuckets,
    registers: [this.registry],
  });
  private readonly transferDuration = new Histogram({
    name: 'glint_transfer_duration_seconds',
    help: "A transfer's streaming to every destination at once, from the first byte asked for to the last copy verified.",
    labelNames: ['kind'],
    buckets: durationBuckets,
    registers: [this.registry],
  });
  private readonly transferThroughput = new Histogram({
    name: 'glint_transfer_throughput_bytes_per_second',
    help: 'Bytes a transfer read from its source per second of its streaming.',
    labelNames: ['kind'],
    buckets: throughputBuckets,
    registers: [this.registry],
  });
  private readonly readBytes = new Counter({
    name: 'glint_site_read_bytes_total',
    help: 'Image bytes read from a site (a copy source).',
    labelNames: ['site'],
    registers: [this.registry],
  });
  private readonly writtenBytes = new Counter({
    name: 'glint_site_written_bytes_total',
    help: 'Image bytes written to a site.',
    labelNames: ['site'],
    registers: [this.registry],
  });
  private readonly operations = new Counter({
    name: 'glint_site_operations_total',
    help: "A site's part in job attempts (a copy's source or destination, a delete, an inventory), by outcome.",
    labelNames: ['site', 'outcome'],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'glint_site_errors_total',
    help: 'Errors a site answered with, by class: auth, not_found, transient, integrity, quota, other.',
    labelNames: ['site', 'class'],
    registers: [this.registry],
  });
  private readonly loginDuration = new Histogram({
    name: 'glint_site_login_duration_seconds',
    help: "Logins to a site's identity service (Keystone), successful or not.",
    labelNames: ['site', 'service'],
    buckets: loginBuckets,
    registers: [this.registry],
  });
  private readonly loginFailures = new Counter({
    name: 'glint_site_login_failures_total',
    help: "Logins to a site's identity service that failed.",
    labelNames: ['site', 'service'],
    registers: [this.registry],
  });
  private readonly inventoryDuration = new Histogram({
    name: 'glint_inventory_duration_seconds',
    help: "Taking a site's inventory: its login, every page of its images, and recording them.",
    labelNames: ['site'],
    buckets: durationBuckets,
    registers: [this.registry],
  });
  private readonly inventoryTime = new Gauge({
    name: 'glint_inventory_last_success_timestamp_seconds',
    help: "When this daemon last took a site's inventory successfully (Unix time).",
    labelNames: ['site'],
    registers: [this.registry],
  });

  private readonly onLogin = (message: unknown) => {
    const site = currentSite();
    if (!site) return;
    this.touch(site);
    const report = message as LoginReport;
    this.loginDuration.observe({ site, service: report.service }, report.seconds);
    if (report.error !== undefined) {
      this.loginFailures.inc({ site, service: report.service });
      this.siteError(errorClassOf(report.error), site);
    }
  };

  constructor() {
    loginChannel.subscribe(this.onLogin);
    // Series Prometheus sees at zero before the first job, so that job is a rate, not a start.
    for (const kind of Object.keys(JOBS)) {
      for (const state of ['succeeded', 'failed', 'cancelled']) {
        this.jobs.inc({ kind, state }, 0);
        this.jobDuration.zero({ kind, state });
      }
      this.retries.inc({ kind }, 0);
    }
    for (const kind of ['copy', 'import']) {
      this.transferDuration.zero({ kind });
      this.transferThroughput.zero({ kind });
    }
  }

  /** Stops hearing logins; the registry stays readable. */
  close(): void {
    loginChannel.unsubscribe(this.onLogin);
  }

  /**
   * Gives a site's series their zero the first time the site is seen, so the first failure is an
   * increase Prometheus can see rather than a series that starts at 1.
   */
  touch(site: string): void {
    if (this.seenSites.has(site)) return;
    this.seenSites.add(site);
    for (const outcome of ['succeeded', 'failed']) this.operations.inc({ site, outcome }, 0);
    for (const errorClass of ERROR_CLASSES) this.errors.inc({ site, class: errorClass }, 0);
    this.loginFailures.inc({ site, service: 'keystone' }, 0);
    this.loginDuration.zero({ site, service: 'keystone' });
    this.inventoryDuration.zero({ site });
    this.readBytes.inc({ site }, 0);
    this.writtenBytes.inc({ site }, 0);
  }

  jobEnded(kind: string, state: 'succeeded' | 'failed' | 'cancelled', seconds: number): void {
    this.jobs.inc({ kind, state });
    this.jobDuration.observe({ kind, state }, seconds);
  }

  jobRetried(kind: string): void {
    this.retries.inc({ kind });
  }

  transferred(kind: string, bytesRead: number, seconds: number): void {
    this.transferDuration.observe({ kind }, seconds);
    if (seconds > 0 && bytesRead > 0)
      this.transferThroughput.observe({ kind }, bytesRead / seconds);
  }

  bytesRead(site: string, bytes: number): void {
    if (bytes > 0) this.readBytes.inc({ site }, bytes);
  }

  bytesWritten(site: string, bytes: number): void {
    if (bytes > 0) this.writtenBytes.inc({ site }, bytes);
  }

  /**
   * A site's part in a job attempt ended. A failure's error counts against the site it came from,
   * which may be another (a copy's destination failing because its source broke off).
   */
  siteOutcome(site: string, outcome: SiteOutcome, failure?: JobFailure): void {
    this.touch(site);
    this.operations.inc({ site, outcome });
    if (failure) this.siteError(failure.errorClass, failure.siteId ?? site);
  }

  /** Counts an error of a class against a site; errors that are not a cloud's have none. */
  private siteError(errorClass: ErrorClass | null | undefined, site: string): void {
    if (!errorClass) return;
    this.touch(site);
    this.errors.inc({ site, class: errorClass });
  }

  inventoryTaken(site: string, seconds: number): void {
    this.inventoryDuration.observe({ site }, seconds);
    this.inventoryTime.set({ site }, Date.now() / 1000);
  }
}
