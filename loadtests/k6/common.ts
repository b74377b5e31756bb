/// <reference types="k6" />
// Shared by the k6 scenarios. BASE_URL defaults to a local server; the fixture comes from
// `npx tsx loadtests/k6/fixture.ts prepare` (see loadtests/README.md).
import { SharedArray } from 'k6/data';
import http from 'k6/http';

export const BASE = (__ENV.BASE_URL ?? 'http://127.0.0.1:3000') + '/api/v1';

interface Fixture {
  roundId: string;
  tokens: string[];
}

const fixture: Fixture = JSON.parse(open(__ENV.FIXTURE ?? '../results/k6-fixture.json'));
export const roundId = fixture.roundId;
export const tokens = new SharedArray('tokens', () => fixture.tokens);

export interface Attempt {
  attemptId: string;
  questions: { id: string; options: { id: string }[] }[];
}

export function headers(token: string) {
  return { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
}

export function start(token: string) {
  return http.post(`${BASE}/rounds/${roundId}/attempts`, null, { ...headers(token), tags: { name: 'start' } });
}

/** Picks an option per question at random, as a resident guessing would. */
export function answersFor(a: Attempt) {
  return a.questions.map((q) => ({ questionId: q.id, optionId: q.options[Math.floor(Math.random() * q.options.length)].id }));
}

export function submit(token: string, a: Attempt) {
  const body = JSON.stringify({ answers: answersFor(a), prediction: Math.floor(Math.random() * 5000) });
  return http.post(`${BASE}/attempts/${a.attemptId}/submit`, body, { ...headers(token), tags: { name: 'submit' } });
}
