import { channel } from 'node:diagnostics_channel';

/** One login to a cloud's identity service (a Keystone token), as the `loginChannel` tells it. */
export interface LoginReport {
  service: string;
  seconds: number;
  /** The typed error the login failed with; absent when it succeeded. */
  error?: unknown;
}

/**
 * Logins as they happen, for whoever measures them (the daemon's metrics): publishing costs
 * nothing while no one subscribes, and the adapters need not know who listens, nor for which site
 * they log in (a subscriber knows that from its own async context).
 */
export const loginChannel = channel('glint:cloud-adapters:login');

/** Times `login` and reports it on the login channel, whether it succeeds or fails. */
export async function reportedLogin<T>(service: string, login: () => Promise<T>): Promise<T> {
  if (!loginChannel.hasSubscribers) return login();
  const started = performance.now();
  const report = (error?: unknown) =>
    loginChannel.publish({
      service,
      seconds: (performance.now() - started) / 1000,
      ...(error !== undefined && { error }),
    } satisfies LoginReport);
  try {
    const result = await login();
    report();
    return result;
  } catch (error) {
    report(error);
    throw error;
  }
}
