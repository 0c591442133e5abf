/** The jobs page's search box: what `jobHasText` finds, with no lower-cased copy of each job kept. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import { parseJob } from './job-schema';
import { jobHasText } from './jobs-snapshot';

function job(fields: { name: string; command: string; owner: string; ownerName: string; description: string }): Job {
  const r = parseJob({ schedule: 'R/2030-01-01T00:00:00Z/P1D', ...fields }, { now: 0, kind: 'iso8601' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const word = fc.stringMatching(/^[A-Za-zÀ-ÿ0-9 ._@-]{0,12}$/);

describe('jobHasText', () => {
  it('finds q case-insensitively in the name, command, owner, owner name or description, and nowhere else', () => {
    const j = job({ name: 'Nightly-ETL', command: 'run.sh --Full', owner: 'Ops@Example.com', ownerName: 'Ops Team', description: 'Loads the Warehouse' });
    for (const q of ['nightly-etl', 'full', 'ops@example', 'ops team', 'warehouse']) expect(jobHasText(j, q)).toBe(true);
    expect(jobHasText(j, 'p1d')).toBe(false); // the schedule is not searched
    expect(jobHasText(j, 'etl\nrun')).toBe(true); // across two fields, as the joined text allowed
  });

  it('answers as a search of the five fields joined and lower-cased did', () => {
    fc.assert(
      fc.property(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), command: word.filter((s) => s.trim() !== ''), owner: word, ownerName: word, description: word }), word, (f, raw) => {
        const j = job(f);
        const q = raw.toLowerCase();
        const joined = `${j.name}\n${j.command}\n${j.owner}\n${j.ownerName ?? ''}\n${j.description ?? ''}`.toLowerCase();
        expect(jobHasText(j, q)).toBe(joined.includes(q));
      }),
    );
  });
});
