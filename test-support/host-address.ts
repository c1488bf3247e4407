import { networkInterfaces } from 'node:os';

/**
 * An IPv4 address of this host's own network interfaces other than loopback (eth0's), for tests
 * that Glint does not reach itself through it.
 */
export function hostAddress(): string {
  const entries = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const own = entries.find((entry) => !entry.internal && entry.family === 'IPv4');
  if (!own) throw new Error('this host has no non-loopback IPv4 address to test with');
  return own.address;
}
