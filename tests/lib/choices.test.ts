import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '../../db/client';
import { answerSignatures, decodeChoices, encodeChoices, servedOrder, signature, storedOrder, UNANSWERED } from '../../server/src/lib/choices';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

/** An attempt: distinct question ids (in the order served), each with 3 or 4 options, and a pick for some. */
const attemptArb = fc
  .uniqueArray(fc.stringMatching(/^[0-9a-f]{1,12}$/), { minLength: 0, maxLength: 25 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.array(fc.integer({ min: 3, max: 4 }), { minLength: ids.length, maxLength: ids.length }),
      fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), { minLength: ids.length, maxLength: ids.length }),
    ),
  )
  .map(([ids, counts, picks]) => {
    const options = new Map(ids.map((id, i) => [id, Array.from({ length: counts[i] }, (_, k) => `${id}-o${k}`)]));
    const answers = ids.flatMap((id, i) => (picks[i] === null ? [] : [{ questionId: id, optionId: options.get(id)![picks[i]! % counts[i]] }]));
    return { ids, options, answers };
  });

describe('lib/choices', () => {
  it('decodes what it encodes, in the order served, whatever order the answers came in', () => {
    fc.assert(
      fc.property(attemptArb, fc.boolean(), ({ ids, options, answers }, reverse) => {
        const sent = reverse ? [...answers].reverse() : answers;
        const bytes = encodeChoices(ids, sent, (q, o) => options.get(q)!.indexOf(o));
        expect(bytes.length).toBe(ids.length);
        expect(bytes.filter((b) => b !== UNANSWERED).length).toBe(answers.length);
        expect(decodeChoices(ids, bytes, (q) => options.get(q)!)).toEqual(answers);
        expect(servedOrder(ids, sent)).toEqual(answers);
      }),
    );
  });

  it('stores questions in byte order of their ids, so a full pool has one layout for every attempt', () => {
    const ids = ['c', 'a', 'B', 'b'];
    expect(storedOrder(ids)).toEqual(['B', 'a', 'b', 'c']);
    const opts = (q: string) => ['x', 'y', 'z'].map((o) => `${q}${o}`);
    const bytes = encodeChoices(
      ids,
      [
        { questionId: 'a', optionId: 'az' },
        { questionId: 'c', optionId: 'cx' },
      ],
      (q, o) => opts(q).indexOf(o),
    );
    expect([...bytes]).toEqual([UNANSWERED, 2, UNANSWERED, 0]);
    expect(() => encodeChoices(ids, [{ questionId: 'zz', optionId: 'zzx' }], () => 0)).toThrow();
    expect(() => encodeChoices(ids, [{ questionId: 'a', optionId: 'nope' }], () => -1)).toThrow();
  });

  it('signs the order served and the set apart, and not below 5 answers', () => {
    const a = ['q1', 'q2', 'q3', 'q4', 'q5'].map((q) => ({ questionId: q, optionId: `${q}o` }));
    const rotated = [...a.slice(1), a[0]];
    expect(answerSignatures(a.slice(0, 4))).toEqual({ seq: null, set: null });
    const x = answerSignatures(a);
    const y = answerSignatures(rotated);
    expect(x.set).toBe(y.set);
    expect(x.seq).not.toBe(y.seq);
    expect(answerSignatures([...a.slice(0, 4), { questionId: 'q5', optionId: 'other' }]).set).not.toBe(x.set);
  });
});

describe('the SQL twins of migration 0016', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ max: 2 });
  });
  afterAll(() => database.destroy());

  it('answer_signature(text) equals signature() for any answers', async () => {
    const samples = fc.sample(
      fc.array(
        fc.record({
          questionId: fc.string({ minLength: 1, maxLength: 40 }),
          optionId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\u0000')),
        }),
        { minLength: 1, maxLength: 30 },
      ),
      { numRuns: 200, seed: 12 },
    );
    const texts = samples.map((s) => s.map((a) => `${a.questionId}\u001f${a.optionId}`).join('\u001e'));
    const rows = await rawRows<{ sig: string }>(
      database.db,
      sql`select answer_signature(t)::text as sig from jsonb_array_elements_text(${JSON.stringify(texts)}::jsonb) with ordinality x(t, n) order by n`,
    );
    expect(rows.map((r) => r.sig)).toEqual(samples.map((s) => String(signature(s))));
  });
});
