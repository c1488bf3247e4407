/** Watches one image on a cloud while something runs, as a user polling `image show` would. */
import { NotFoundError, type CloudAdapter } from '@glint/cloud-adapters';

export interface Sighting {
  status: string;
  hidden: boolean;
}

/**
 * Polls image `id` every `intervalMs` until `stop()`, collecting what it was each time it existed
 * (before it is created and after it is deleted, it is not seen). `stop` resolves the sightings.
 */
export function watchImage(
  adapter: CloudAdapter,
  id: string,
  intervalMs = 50,
): { stop: () => Promise<Sighting[]> } {
  const sightings: Sighting[] = [];
  let stopped = false;
  const polling = (async () => {
    while (!stopped) {
      try {
        const image = await adapter.getImage(id);
        sightings.push({ status: image.status, hidden: image.hidden === true });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await polling;
      return sightings;
    },
  };
}
