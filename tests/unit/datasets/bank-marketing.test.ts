import { describe, expect, it } from 'vitest';
import { bankContactTimes, bankEvents } from '../../../datasets/bank-marketing.ts';
import { applyEvent, newProfile } from '../../../functions/domain/profiles/profile.ts';
import { propensityFeaturesFromProfile } from '../../../functions/domain/score/score-profile.ts';
import { propensityFeaturesFromBankRow } from '../../../functions/domain/score/propensity.ts';
import { propensityExamplesFromProfiles } from '../../../functions/domain/score/profile-training.ts';
import { cleanEvent } from '../../helpers/events.ts';
import type { Profile } from '../../../schemas/profile.ts';

// Two rows in the shape of bank-additional-full (semicolon CSV parsed to strings).
const row = (over: Record<string, string>) => ({
  age: '56', job: 'housemaid', marital: 'married', education: 'basic.4y', default: 'no', housing: 'no', loan: 'no', contact: 'telephone', month: 'may', day_of_week: 'mon',
  duration: '261', campaign: '1', pdays: '999', previous: '0', poutcome: 'nonexistent', 'emp.var.rate': '1.1', 'cons.price.idx': '93.994', 'cons.conf.idx': '-36.4', euribor3m: '4.857', 'nr.employed': '5191', y: 'no',
  ...over,
});

describe('Bank Marketing as events', () => {
  it('infers years from the month sequence and spreads a month’s rows over its days', () => {
    // Act
    const t = bankContactTimes(['may', 'may', 'jun', 'nov', 'mar', 'mar', 'apr']);
    // Assess
    expect(t.map((x) => x.slice(0, 10))).toEqual(['2008-05-01', '2008-05-16', '2008-06-01', '2008-11-01', '2009-03-01', '2009-03-16', '2009-04-01']);
    expect(() => bankContactTimes(['may', 'smarch'])).toThrow(/row 2/);
    const may = bankContactTimes(Array(31).fill('may'));
    expect(may.at(-1)).toBe('2008-05-31T09:00:00.000Z'); // the last row of a month stays in it
  });

  it('sends who the client is and the contact with its outcome, never the call duration', () => {
    // Act
    const [identify, contact, , second] = [...bankEvents([row({}), row({ y: 'yes', pdays: '6', poutcome: 'success' })])];
    // Assess
    expect(identify).toMatchObject({ type: 'identify', userId: 'bank-1', traits: { age: 56, job: 'housemaid', credit_default: 'no' } });
    expect(contact).toMatchObject({ type: 'track', event: 'Campaign Contacted', userId: 'bank-1', properties: { campaign_id: 'term-deposit', channel: 'telephone', outcome: 'declined', employed: 5.191, days_since_previous: 999 } });
    expect(JSON.stringify(contact)).not.toContain('duration');
    expect(second).toMatchObject({ userId: 'bank-2', properties: { outcome: 'converted', previous_outcome: 'success' } });
  });

  it('lands on a profile so that scoring reads the same features training from the file reads', () => {
    // Prepare
    const r = row({ y: 'yes', pdays: '6', poutcome: 'success' });
    const [identify, contact] = [...bankEvents([r])];
    let p: Profile = newProfile('u-bank-1', '2008-05-01T00:00:00.000Z');
    // Act: the events as Clean hands them to Tag
    for (const e of [identify, contact]) p = applyEvent(p, cleanEvent({ type: e.type, messageId: e.messageId, userId: e.userId, event: e.event, timestamp: e.timestamp, traits: e.traits ?? {}, properties: e.properties ?? {} }));
    // Assess
    expect(p.campaignContact).toMatchObject({ campaign: 'term-deposit', channel: 'telephone', outcome: 'converted', at: contact.timestamp });
    expect(propensityFeaturesFromProfile(p.traits, p.campaignContact)).toEqual(propensityFeaturesFromBankRow(r));
    expect(propensityExamplesFromProfiles([p])).toMatchObject({ labels: [1], rows: [propensityFeaturesFromBankRow(r)] });
  });

  it('keeps the latest contact when events arrive out of order', () => {
    const at = (ts: string, outcome: string) => cleanEvent({ type: 'track', event: 'Campaign Contacted', messageId: ts, timestamp: ts, properties: { campaign_id: 'c', outcome } });
    let p: Profile = newProfile('u-x', '2011-01-01T00:00:00.000Z');
    p = applyEvent(p, at('2011-03-01T00:00:00.000Z', 'converted'));
    p = applyEvent(p, at('2011-02-01T00:00:00.000Z', 'declined'));
    expect(p.campaignContact).toMatchObject({ at: '2011-03-01T00:00:00.000Z', outcome: 'converted' });
  });
});
