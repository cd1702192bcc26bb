import { createParser } from 'eventsource-parser';

/** One thing read from a text/event-stream: a message, or a comment line (heartbeats). */
export type SseItem = { id?: string; event?: string; data: string } | { comment: string };

/**
 * Reads a text/event-stream response as it arrives, exactly as the wire has it (eventsource-parser
 * does the parsing), so tests can assert ids, event names and comments.
 */
export async function* readSse(response: Response): AsyncGenerator<SseItem> {
  const queue: SseItem[] = [];
  const parser = createParser({
    onEvent: (message) => queue.push({ id: message.id, event: message.event, data: message.data }),
    onComment: (comment) => queue.push({ comment: comment.trim() }),
  });
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length) yield queue.shift()!;
    }
  } finally {
    await reader.cancel();
  }
}

