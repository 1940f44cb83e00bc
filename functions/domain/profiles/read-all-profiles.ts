/**
 * Every profile item of the table, page by page through the scan port: what the weekly
 * training, the daily drift check and the CLI read. One sequential segment: these jobs read
 * once and compute in memory (the daily re-scoring, which writes, uses parallel segments).
 */
import type { Profile } from '../../../schemas/profile.ts';
import type { ProfileScanner } from './ports.ts';

export async function readAllProfiles(scanner: ProfileScanner): Promise<Profile[]> {
  const out: Profile[] = [];
  let cursor: string | undefined;
  do {
    const page = await scanner.scanProfiles({ segment: 0, totalSegments: 1, cursor });
    out.push(...page.profiles);
    cursor = page.cursor;
  } while (cursor);
  return out;
}
