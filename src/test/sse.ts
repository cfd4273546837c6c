import type { IncomingMessage } from 'node:http';

/** One block of a text/event-stream: its `event:` name (undefined without one) and its `data:` lines. */
export interface SseBlock {
  event: string | undefined;
  data: string[];
}

/** Reads `res` as a text/event-stream: after each chunk, `onBlocks` gets the blocks it completed. */
export function readSse(res: IncomingMessage, onBlocks: (blocks: SseBlock[]) => void): void {
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    const blocks: SseBlock[] = [];
    for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
      const block: SseBlock = { event: undefined, data: [] };
      for (const line of buffer.slice(0, i).split('\n')) {
        if (line.startsWith('event: ')) block.event = line.slice(7);
        else if (line.startsWith('data: ')) block.data.push(line.slice(6));
      }
      buffer = buffer.slice(i + 2);
      blocks.push(block);
    }
    onBlocks(blocks);
  });
}
