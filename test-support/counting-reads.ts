import type { CloudAdapter, Download } from '@glint/cloud-adapters';

/** A real adapter whose downloads are counted, to show how often and how much a copy reads. */
export interface CountedReads {
  adapter: CloudAdapter;
  opens: number;
  bytes: number;
}

export function countingReads(adapter: CloudAdapter): CountedReads {
  const counter: CountedReads = { adapter, opens: 0, bytes: 0 };
  counter.adapter = Object.create(adapter, {
    openDownload: {
      value: async (id: string, options?: object): Promise<Download> => {
        counter.opens++;
        const download = await adapter.openDownload(id, options);
        download.stream.on('data', (chunk: Buffer) => (counter.bytes += chunk.length));
        return download;
      },
    },
  }) as CloudAdapter;
  return counter;
}
