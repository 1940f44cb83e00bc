/**
 * A `Sender` that sends nothing and counts, for the 1,000,000-recipient benchmark (where a
 * real provider, or the emulator's in-memory store, would measure the provider rather than
 * the orchestration; the results file says when it was used).
 *
 * It answers like a provider that accepts everything instantly, with unique message ids,
 * and keeps only counters (by channel and by variant), never the messages: memory stays flat
 * at a million sends. An optional `latencyMs` stands in for a provider's round trip.
 */
import type { OutboundMessage, Sender, SendResult } from '../domain/campaigns/ports.ts';

export interface CountingSender {
  send: Sender;
  /** Messages accepted so far. */
  count(): number;
  byChannel(): Record<string, number>;
  byVariant(): Record<string, number>;
  reset(): void;
}

export function countingSender(opts: { latencyMs?: number; prefix?: string } = {}): CountingSender {
  let total = 0;
  let channels: Record<string, number> = {};
  let variants: Record<string, number> = {};
  const prefix = opts.prefix ?? 'count';
  const send: Sender = async (m: OutboundMessage): Promise<SendResult> => {
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    total++;
    channels[m.channel] = (channels[m.channel] ?? 0) + 1;
    variants[m.variantId] = (variants[m.variantId] ?? 0) + 1;
    return { ok: true, messageId: `${prefix}-${total}` };
  };
  return {
    send,
    count: () => total,
    byChannel: () => ({ ...channels }),
    byVariant: () => ({ ...variants }),
    reset() {
      total = 0;
      channels = {};
      variants = {};
    },
  };
}
