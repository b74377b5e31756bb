import { eq, inArray } from 'drizzle-orm';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { attempts, questions, submissions } from '../../../db/schema/index';
import { compileResponse, compiledSerializerCompiler } from '../../../server/src/lib/serialize';
import { ErrorResponse } from '../../../server/src/lib/zod';
import { attemptResponseOf, renderAttempt, renderPromptTail, renderQuestion } from '../../../server/src/modules/attempts/attempts.render';
import { AttemptResponse, ResultResponse, SubmitBody } from '../../../server/src/modules/attempts/attempts.schemas';
import { plainSubmitBody } from '../../../server/src/modules/attempts/attempts.validate';
import { useTestApp } from '../../helpers/app';
import { storedAnswers } from '../../helpers/results-factories';
import { bearer, makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { start, submit } from '../../helpers/requests';

// Issue #12 items 3 and 4: the hot routes' responses are written by fast-json-stringify and
// a start by concatenating the round's pre-rendered questions. Neither may let a field
// through that the schema does not declare, and a start must give the same payload as the
// uncached path (the stored questions, shuffled by the attempt's seed).

const t = useTestApp();
const db = () => t.database.db;

const ATTEMPT_KEYS = ['attemptId', 'attemptNo', 'deadline', 'predictionPrompt', 'questions', 'startedAt'];
const sortedKeys = (o: object) => Object.keys(o).sort();

/** Texts that JSON escapes: quotes, backslash, control characters, U+2028 and astral characters. */
const TRICKY = ['Câu "trích dẫn" \\ có\tgạch', 'dòng 1\ndòng 2\u2028\u2029 </script>', 'Emoji 🇻🇳 và chữ 𝔸', ''];

async function setup(questionCount = 4) {
  const contest = await makeContest(db());
  const { round, pool } = await makeRound(db(), contest.id, { questionCount, predictionPrompt: 'Dự đoán "số" người\n đúng?' }, questionCount + 2);
  // Texts that need escaping, in questions and options.
  for (const [i, q] of pool.entries()) {
    const options = q.options.map((o, k) => ({ ...o, text: `${TRICKY[(i + k) % TRICKY.length]} ${k}` }));
    await db()
      .update(questions)
      .set({ text: TRICKY[i % TRICKY.length] + ` #${i}`, options, explanation: 'BÍ MẬT giải thích' })
      .where(eq(questions.id, q.id));
  }
  const resident = await makeResident(db());
  return { round, token: tokenFor(t.app, resident) };
}

/** What the uncached path gives for a stored attempt: its stored questions, through the zod schema. */
async function uncachedPayload(attemptId: string, predictionPrompt: string): Promise<string> {
  const [a] = await db().select().from(attempts).where(eq(attempts.id, attemptId));
  const qs = new Map((await db().select().from(questions).where(inArray(questions.id, a.questionIds))).map((q) => [q.id, q]));
  const obj = attemptResponseOf(
    { id: a.id, attemptNo: a.attemptNo, seed: a.seed, questionIds: a.questionIds, startedAtMs: a.startedAt.getTime(), deadlineMs: a.deadline.getTime() },
    (id) => qs.get(id),
    predictionPrompt,
  );
  return JSON.stringify(AttemptResponse.parse(obj));
}

describe('start: the rendered payload', () => {
  it('is byte for byte what the uncached path gives, on create and on resume, with the declared fields only', async () => {
    const { round, token } = await setup();
    const res = await start(t.app, round.id, token);
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json() as AttemptResponse;
    expect(res.body).toBe(await uncachedPayload(body.attemptId, round.predictionPrompt));

    expect(sortedKeys(body)).toEqual(ATTEMPT_KEYS);
    expect(body.questions).toHaveLength(4);
    for (const q of body.questions) {
      expect(sortedKeys(q)).toEqual(['id', 'options', 'text']);
      for (const o of q.options) expect(sortedKeys(o)).toEqual(['id', 'text']);
    }
    expect(res.body).not.toContain('correct');
    expect(res.body).not.toContain('BÍ MẬT');
    expect(res.body).not.toContain('explanation');

    const again = await start(t.app, round.id, token);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(res.body);
  });

  it('orders options by the attempt seed: two attempts of the same questions differ only as their seeds say', async () => {
    const { round } = await setup(6);
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const token = tokenFor(t.app, await makeResident(db()));
      const res = await start(t.app, round.id, token);
      expect(res.statusCode).toBe(201);
      const body = res.json() as AttemptResponse;
      expect(res.body).toBe(await uncachedPayload(body.attemptId, round.predictionPrompt));
      bodies.push(JSON.stringify(body.questions.map((q) => q.options.map((o) => o.id))));
    }
    // Six questions of four options each: three attempts with one option order everywhere would be a broken shuffle.
    expect(new Set(bodies).size).toBeGreaterThan(1);
  });
});

describe('renderAttempt', () => {
  it('gives the bytes of the uncached object, leaving out a question it does not know, as the uncached path does', () => {
    const qs = TRICKY.map((text, i) => ({
      id: `q${i}`,
      text,
      explanation: 'BÍ MẬT',
      options: [3, 1, 2, 0].map((k) => ({ id: `q${i}o${k}`, text: TRICKY[(i + k) % TRICKY.length], correct: k === 1 })),
    }));
    const byId = new Map(qs.map((q) => [q.id, q]));
    const rendered = new Map(qs.map((q) => [q.id, renderQuestion(q)]));
    for (const seed of [0, 1, 2147483646]) {
      const a = { id: 'a"1', attemptNo: 2, seed, questionIds: ['q2', 'gone', 'q0', 'q3', 'q1'], startedAtMs: 1_764_000_000_123, deadlineMs: 1_764_000_600_123 };
      const bytes = renderAttempt(a, (id) => rendered.get(id), renderPromptTail('Dự "đoán"\n'));
      expect(bytes.equals(Buffer.from(JSON.stringify(AttemptResponse.parse(attemptResponseOf(a, (id) => byId.get(id), 'Dự "đoán"\n')))))).toBe(true);
      expect(bytes.toString()).not.toMatch(/correct|BÍ MẬT|gone/);
    }
  });
});

describe('compiled serializer', () => {
  const declaredOnly = {
    attemptId: 'a1',
    attemptNo: 1,
    startedAt: '2026-11-29T00:00:00.000Z',
    deadline: '2026-11-29T00:10:00.000Z',
    questions: [{ id: 'q1', text: 'Q', options: [{ id: 'o1', text: 'A' }] }],
    predictionPrompt: 'P',
  };

  it('writes only declared fields of an AttemptResponse, whatever the service put in it', () => {
    const write = compileResponse(AttemptResponse);
    const leaky = {
      ...declaredOnly,
      seed: 42,
      questions: [{ id: 'q1', text: 'Q', explanation: 'secret', voided: false, options: [{ id: 'o1', text: 'A', correct: true }] }],
    };
    expect(write(leaky)).toBe(JSON.stringify(declaredOnly));
    expect(write(declaredOnly)).toBe(JSON.stringify(AttemptResponse.parse(declaredOnly)));
    expect(() => write({ ...declaredOnly, attemptId: undefined })).toThrow();
  });

  it('writes a ResultResponse as zod did, optional fields only when set, and no extra key', () => {
    const write = compileResponse(ResultResponse);
    const base = { attemptId: 'a1', status: 'submitted' as const, submittedAt: '2026-11-29T00:00:00.000Z', durationMs: 1234, total: 20 };
    expect(write(base)).toBe(JSON.stringify(ResultResponse.parse(base)));
    const full = { ...base, score: 7, duplicate: true };
    expect(write({ ...full, answers: [{ questionId: 'q', optionId: 'o' }], userId: 'u' })).toBe(JSON.stringify(full));
  });

  it('leaves error answers to zod (free-form details kept)', () => {
    const write = compiledSerializerCompiler({ schema: ErrorResponse, method: 'POST', url: '/x', httpStatus: '400' });
    const err = { statusCode: 400, code: 'INVALID_ANSWERS', error: 'Bad Request', message: 'm', details: [{ field: 'body.choices.0', message: 'x' }] };
    expect(JSON.parse(write(err))).toEqual(err);
  });

  it('refuses to compile an open object', () => {
    expect(() => compileResponse(AttemptResponse.loose())).toThrow(/open/);
  });

  it('on a route: extra keys returned by a handler do not reach the client', async () => {
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.post('/r', { serializerCompiler: compiledSerializerCompiler, schema: { response: { 200: ResultResponse } } }, async () => {
      return {
        attemptId: 'a',
        status: 'submitted',
        submittedAt: 'now',
        durationMs: 1,
        total: 2,
        score: 1,
        correct: ['o1'],
        explanation: 'x',
      } as ResultResponse;
    });
    const res = await app.inject({ method: 'POST', url: '/r' });
    await app.close();
    expect(res.json()).toEqual({ attemptId: 'a', status: 'submitted', submittedAt: 'now', durationMs: 1, total: 2, score: 1 });
  });
});

describe('submit: the response over HTTP', () => {
  it('holds exactly the declared fields', async () => {
    const { round, token } = await setup();
    const s = (await start(t.app, round.id, token)).json() as AttemptResponse;
    const res = await submit(t.app, s.attemptId, token, { choices: s.questions.map(() => 0), prediction: 3 });
    expect(res.statusCode).toBe(200);
    expect(sortedKeys(res.json())).toEqual(['attemptId', 'durationMs', 'score', 'status', 'submittedAt', 'total']);
    const again = await submit(t.app, s.attemptId, token, { prediction: 'x' });
    expect(again.statusCode).toBe(200);
    expect(sortedKeys(again.json())).toEqual(['attemptId', 'duplicate', 'durationMs', 'score', 'status', 'submittedAt', 'total']);
  });

  it('keeps the OpenAPI document describing the hot responses from the zod schemas', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content: Record<string, { schema: { properties: object; additionalProperties?: boolean } }> }> }>
      >;
    };
    const start = doc.paths['/api/v1/rounds/{roundId}/attempts'].post.responses['201'].content['application/json'].schema;
    expect(sortedKeys(start.properties)).toEqual(ATTEMPT_KEYS);
    const submit = doc.paths['/api/v1/attempts/{attemptId}/submit'].post.responses['200'].content['application/json'].schema;
    expect(sortedKeys(submit.properties)).toEqual(['attemptId', 'duplicate', 'durationMs', 'score', 'status', 'submittedAt', 'total']);
  });
});

describe('submit body: the hand check', () => {
  const id = (n: number) => 'x'.repeat(n);
  const pair = { questionId: 'q1', optionId: 'o1' };
  // [body, whether the hand check must take it]: the ones it refuses go to zod, which words the 400.
  const cases: [unknown, boolean][] = [
    [{ answers: [pair], prediction: 5 }, true],
    [{ answers: [{ ...pair, correct: true, extra: 1 }], prediction: 0, userId: 'u', score: 20 }, true],
    [{ choices: [0, 3, null, 1], prediction: 100_000_000 }, true],
    [{ answers: [], choices: [], prediction: 1 }, true],
    [{ prediction: 1 }, true],
    [{ answers: [{ questionId: id(100), optionId: id(1) }], prediction: 1 }, true],
    [{ answers: Array.from({ length: 200 }, () => pair), prediction: 1 }, true],
    [{ answers: [{ questionId: id(101), optionId: 'o' }], prediction: 1 }, false],
    [{ answers: [{ questionId: '', optionId: 'o' }], prediction: 1 }, false],
    [{ answers: [{ questionId: 'q' }], prediction: 1 }, false],
    [{ answers: [{ questionId: 1, optionId: 'o' }], prediction: 1 }, false],
    [{ answers: [null], prediction: 1 }, false],
    [{ answers: [[]], prediction: 1 }, false],
    [{ answers: Array.from({ length: 201 }, () => pair), prediction: 1 }, false],
    [{ answers: {}, prediction: 1 }, false],
    [{ answers: null, prediction: 1 }, false],
    [{ choices: [1.5], prediction: 1 }, false],
    [{ choices: ['1'], prediction: 1 }, false],
    [{ choices: [true], prediction: 1 }, false],
    [{ choices: [2 ** 53], prediction: 1 }, false],
    [{ choices: Array.from({ length: 201 }, () => 0), prediction: 1 }, true], // any length: a wrong one is INVALID_ANSWERS, later
    [{ answers: [pair], prediction: 100_000_001 }, false],
    [{ answers: [pair], prediction: -1 }, false],
    [{ answers: [pair], prediction: 1.5 }, false],
    [{ answers: [pair], prediction: '5' }, false],
    [{ answers: [pair] }, false],
    [null, false],
    [[], false],
    ['body', false],
  ];

  it('takes exactly what zod takes, with the value zod gives (declared keys only)', () => {
    for (const [body, taken] of cases) {
      const fast = plainSubmitBody(body);
      const z = SubmitBody.safeParse(body);
      expect(fast !== null, JSON.stringify(body)?.slice(0, 80)).toBe(taken);
      if (fast) expect(z.success && z.data).toEqual(fast);
      else expect(z.success, JSON.stringify(body)?.slice(0, 80)).toBe(false);
    }
  });

  it("a refused body gets zod's 400 on the route, a taken one stores declared keys only, a repeat with any body the stored result", async () => {
    const { round, token } = await setup();
    const s = (await start(t.app, round.id, token)).json() as AttemptResponse;
    const url = `/api/v1/attempts/${s.attemptId}/submit`;
    const bad = await t.app.inject({ method: 'POST', url, headers: bearer(token), payload: { choices: [1.5, 0, 0, 0], prediction: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', error: 'Bad Request' });
    expect(bad.json().details).toEqual([{ field: 'body.choices.0', message: expect.any(String) }]);
    const ok = await t.app.inject({
      method: 'POST',
      url,
      headers: bearer(token),
      payload: { answers: [{ questionId: s.questions[0].id, optionId: s.questions[0].options[0].id, junk: 'x' }], prediction: 2 },
    });
    expect(ok.statusCode).toBe(200);
    expect(await storedAnswers(db(), s.attemptId)).toEqual([{ questionId: s.questions[0].id, optionId: s.questions[0].options[0].id }]);
    const repeat = await t.app.inject({ method: 'POST', url, headers: bearer(token), payload: { choices: [1.5], prediction: -1 } });
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toMatchObject({ duplicate: true, attemptId: s.attemptId });
    // "With any body": a repeat whose JSON is broken or too deep gets the stored result too.
    for (const payload of [
      '{"choices":[1,',
      '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    ]) {
      const res = await t.app.inject({ method: 'POST', url, headers: { ...bearer(token), 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ duplicate: true, attemptId: s.attemptId });
    }
    // A first submit with broken JSON is still the parser's 400, and changes nothing.
    const fresh = (await start(t.app, (await setup()).round.id, token)).json() as AttemptResponse;
    const broken = await t.app.inject({
      method: 'POST',
      url: `/api/v1/attempts/${fresh.attemptId}/submit`,
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: '{"choices":[1,',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('INVALID_JSON');
    expect(await db().select().from(submissions).where(eq(submissions.attemptId, fresh.attemptId))).toEqual([]);
  });
});
