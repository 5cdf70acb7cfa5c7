import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ConsentGate, parseConsentMode, Profile, PROFILE_DB_NAME } from '../../../src/profile/index.ts';

const item = { id: 'p2', title: 'Portal 2', attributes: { tags: ['Puzzle'] } };

async function databases(factory: IDBFactory): Promise<string[]> {
  return (await factory.databases()).map((d) => d.name ?? '');
}

describe('consent', () => {
  it('parses data-consent', () => {
    expect(parseConsentMode('required')).toBe('required');
    expect(parseConsentMode(' Required ')).toBe('required');
    expect(parseConsentMode(null)).toBe('implied');
    expect(parseConsentMode('yes')).toBe('implied');
  });

  it('gate: only `true` grants; listeners run on changes only', () => {
    const gate = new ConsentGate('required');
    const seen: boolean[] = [];
    gate.onChange((g) => seen.push(g));
    expect(gate.granted).toBe(false);
    expect(gate.set('true')).toBe(false);
    expect(gate.set(true)).toBe(true);
    gate.set(true);
    gate.set(false);
    expect(seen).toEqual([true, false]);
  });

  it('required: nothing stored (no database created) until consent; history empty meanwhile', async () => {
    const indexedDB = new IDBFactory();
    const profile = new Profile({ consent: 'required', indexedDB });
    expect(await profile.view(item)).toBe(false);
    expect(await profile.history()).toEqual([]);
    expect((await profile.export()).events).toEqual([]);
    expect(await databases(indexedDB)).toEqual([]);

    profile.consent.set(true);
    expect(await profile.purchase(item)).toBe(true);
    expect((await profile.history()).map((h) => h.title)).toEqual(['Portal 2']);
    expect(await databases(indexedDB)).toEqual([PROFILE_DB_NAME]);
  });

  it('withdrawing consent deletes the data and stops recording', async () => {
    const indexedDB = new IDBFactory();
    const profile = new Profile({ consent: 'required', indexedDB });
    profile.consent.set(true);
    await profile.click(item);
    let changes = 0;
    profile.onChange(() => (changes += 1));
    profile.consent.set(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(changes).toBe(1);
    expect(await profile.addToCart(item)).toBe(false);
    profile.consent.set(true);
    expect(await profile.history()).toEqual([]);
  });

  it('"Clear my data" before consent deletes what an earlier visit stored, without creating anything', async () => {
    const indexedDB = new IDBFactory();
    const earlier = new Profile({ indexedDB });
    await earlier.rate(item, 5);
    expect(await databases(indexedDB)).toEqual([PROFILE_DB_NAME]);
    // A later page load where consent is required and not (yet) given.
    const later = new Profile({ consent: 'required', indexedDB });
    await later.clear();
    expect(await databases(indexedDB)).toEqual([]);
    expect(await new Profile({ indexedDB }).history()).toEqual([]);
  });

  it('implied consent (no data-consent) records at once', async () => {
    const profile = new Profile({ indexedDB: new IDBFactory() });
    expect(profile.consent.granted).toBe(true);
    expect(await profile.view(item)).toBe(true);
    expect((await profile.export()).events).toHaveLength(1);
  });
});
