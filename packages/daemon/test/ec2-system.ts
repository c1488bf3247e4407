/**
 * Glint whole, with EC2: the real API with sandbox cloud1 (read through a proxy that counts image
 * downloads) and an EC2 account whose regions are sites, a real daemon, the S3 server and the EC2
 * emulator. What the EC2 tests of the daemon share, and how they read the jobs and cells.
 */
import type { Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { refreshAll } from '../../../test-support/inventory-worker';
import {
  login,
  matrixRow,
  siteBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import type { Job } from '../../api/src/schemas/jobs';
import type { CopyTiming, TaskTiming } from '../../../test-support/ec2-emulator';
import { addEc2Account, startEc2Stack, type Ec2Stack } from '../../../test-support/ec2-stack';
import {
  startImageReadCounter,
  type ImageReadCounter,
} from '../../../test-support/image-read-counter';
import { outboundAllow, sandboxCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../src';

export interface Ec2System {
  stack: Ec2Stack;
  env: TestEnvironment;
  server: FastifyInstance;
  user: Session;
  daemon: RunningDaemon;
  /** cloud1's Glance, as Glint reads it, counting downloads. */
  glance: ImageReadCounter;
  cloud1: string;
  /** The site of each region of the account, by region. */
  regionSite: Record<string, string>;
  close(): Promise<void>;
}

/** Starts it all; S3 serves `regions` too. `daemonEnv` adds to the daemon's settings. */
export async function startEc2System(options: {
  regions: readonly string[];
  taskTiming?: TaskTiming;
  copyTiming?: CopyTiming;
  daemonEnv?: Record<string, string>;
}): Promise<Ec2System> {
  const regions = [...options.regions];
  const stackStarted = startEc2Stack({
    regions,
    ...(options.taskTiming && { taskTiming: options.taskTiming }),
    ...(options.copyTiming && { copyTiming: options.copyTiming }),
  });
  const env = await testEnvironment();
  const glance = await startImageReadCounter(sandboxCloud(1).glanceUrl);
  const stack = await stackStarted;
  const allow = outboundAllow(glance.url, ...Object.values(stack.endpoints));
  const server = await env.start({ GLINT_OUTBOUND_ALLOW: allow });
  const user = await login(server);
  const body = siteBody('cloud1', sandboxCloud(1));
  const added = await server.inject({
    method: 'POST',
    url: '/api/v1/sites',
    headers: user.headers,
    payload: { ...body, config: { ...body.config, imageEndpointOverride: glance.url } },
  });
  if (added.statusCode !== 201) throw new Error(`adding cloud1 failed: ${added.body}`);
  const account = await addEc2Account(server, user, stack, { name: 'aws', regions });
  const regionSite = Object.fromEntries(account.regions.map((r) => [r.region, r.siteId]));
  const daemon = await startDaemon(
    loadDaemonConfig(
      env.env({
        GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
        GLINT_OUTBOUND_ALLOW: allow,
        ...options.daemonEnv,
      }),
    ),
    () => {},
  );
  return {
    stack,
    env,
    server,
    user,
    daemon,
    glance,
    cloud1: added.json<{ id: string }>().id,
    regionSite,
    async close() {
      await daemon.stop();
      await glance.close();
      await env.close();
      await stack.close();
    },
  };
}

/** Who asks the API: a server and its logged-in user, as any whole-system test has them. */
type Asking = Pick<Ec2System, 'server' | 'user'>;

/** The logical image of an image seeded on a site, once the inventory found it. */
export async function inventoried(system: Asking, name: string): Promise<string> {
  await refreshAll(system.server, system.user);
  return (await matrixRow(system.server, system.user, name)).id;
}

/** The image's jobs of one kind once none is queued or running, as GET /api/v1/jobs shows them. */
export const endedJobs = (system: Asking, imageId: string, operation: 'copy' | 'delete') =>
  until(`the ${operation} jobs of ${imageId} to end`, async () => {
    const response = await system.server.inject({
      url: `/api/v1/jobs?image=${imageId}&operation=${operation}`,
      headers: { cookie: system.user.cookie },
    });
    const { jobs } = response.json<{ jobs: Static<typeof Job>[] }>();
    return (
      jobs.length > 0 && jobs.every((job) => !['queued', 'running'].includes(job.state)) && jobs
    );
  });

export const cellOn = async (system: Asking, name: string, siteId: string) =>
  (await matrixRow(system.server, system.user, name)).cells.find((cell) => cell.siteId === siteId)!;
