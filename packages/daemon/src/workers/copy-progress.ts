import type {
  ActivationProgress,
  DestinationProgress,
  TransferProgress,
} from '@glint/cloud-adapters';

/** Reports of the copies of one job as they go, joined into one. */
export interface CopyProgress {
  /** The reporter of one engine run: its streamed destinations. */
  stream(): (progress: TransferProgress) => void;
  /** A copy the destination's cloud makes itself: its stage and how far it is. */
  serverSide(key: string, activation: ActivationProgress): void;
}

/**
 * One progress report for the whole job from the engine's runs (streamed destinations) and the
 * clouds' own copies (a stage and its percentage; no byte passes through Glint for them).
 */
export function progressJoin(onProgress: (progress: TransferProgress) => void): CopyProgress {
  const streams: TransferProgress[] = [];
  const serverSide = new Map<string, DestinationProgress>();
  const report = () => {
    const [first] = streams;
    onProgress({
      totalBytes: first?.totalBytes ?? null,
      // A destination streamed after its cloud turned the copy down reads the source again: the
      // job is as far as its slowest read.
      bytesRead: streams.length ? Math.min(...streams.map((s) => s.bytesRead)) : 0,
      destinations: [...streams.flatMap((s) => s.destinations), ...serverSide.values()],
    });
  };
  return {
    stream() {
      const index = streams.push({ totalBytes: null, bytesRead: 0, destinations: [] }) - 1;
      return (progress) => {
        streams[index] = progress;
        report();
      };
    },
    serverSide(key, activation) {
      serverSide.set(key, { key, bytes: 0, bytesPerSecond: 0, etaSeconds: null, ...activation });
      report();
    },
  };
}
