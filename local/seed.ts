/**
 * Seeds the synthetic demo shop into a running local platform, brings tags current as of
 * now, and prints what a newcomer should see: tag counts and a few tagged profiles.
 */
import type { Platform } from './platform.ts';
import type { LocalConfig } from './start.ts';
import { replayDemo } from '../cli/commands/replay.ts';
import { formatProfile, retagAll, scanProfiles } from '../cli/commands/profiles.ts';

export async function seedDemo(platform: Platform, config: LocalConfig): Promise<void> {
  console.log('Seeding the synthetic demo shop (seed 7) through the event API…');
  const r = await replayDemo({ apiUrl: config.apiUrl, writeKey: config.writeKey, progress: process.stdout.isTTY });
  await platform.waitForIdle(10 * 60_000);
  const table = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  await retagAll(platform.clients.doc, table, new Date());
  const profiles = (await scanProfiles(platform.clients.doc, table)).filter((p) => !p.mergedInto);
  const counted = profiles.reduce((s, p) => s + p.aggregates.events, 0);
  const count = (tag: string) => {
    const m = new Map<string, number>();
    for (const p of profiles) if (p.tags[tag] !== undefined) m.set(String(p.tags[tag]), (m.get(String(p.tags[tag])) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  };
  console.log(`
Demo shop: ${r.send.sent} events sent, ${r.send.accepted} accepted; ${counted} counted in ${profiles.length} profiles (the rest are bot and test traffic, kept in the failed-events store).
  lifecycle      ${count('lifecycle')}
  rfm_segment    ${count('rfm_segment')}
  flags          loyal ${profiles.filter((p) => p.tags.loyal).length}, one_time_buyer ${profiles.filter((p) => p.tags.one_time_buyer).length}, high_value ${profiles.filter((p) => p.tags.high_value).length}, returns_heavy ${profiles.filter((p) => p.tags.returns_heavy).length}
  price          ${count('price_sensitivity')}
`);
  const show = ['champions', 'at_risk', 'lost', 'new_customers'].map((seg) => profiles.find((p) => p.tags.rfm_segment === seg)).filter((p) => p !== undefined);
  for (const p of show) console.log(`${formatProfile(p)}\n`);
}
