import { shuffleOptions } from '../../lib/draw';
import type { AttemptResponse } from './attempts.schemas';

/**
 * A question as a contestant sees it, rendered to JSON once per round (and process): the
 * `{"id":…,"text":…,"options":[` head and one fragment per option. Only `id` and `text`
 * are read from the stored question and its options, so an option's `correct` flag or the
 * question's explanation are never part of a fragment. A start then only shuffles the
 * fragments by the attempt's seed and concatenates them.
 */
export interface RenderedQuestion {
  head: string;
  /** The options with their `{"id":…,"text":…}` fragment, in stored order (shuffleOptions sorts). */
  options: { id: string; json: string }[];
}

export function renderQuestion(q: { id: string; text: string; options: readonly { id: string; text: string }[] }): RenderedQuestion {
  return {
    head: `{"id":${JSON.stringify(q.id)},"text":${JSON.stringify(q.text)},"options":[`,
    options: q.options.map((o) => ({ id: o.id, json: `{"id":${JSON.stringify(o.id)},"text":${JSON.stringify(o.text)}}` })),
  };
}

interface AttemptHead {
  id: string;
  attemptNo: number;
  seed: number;
  questionIds: readonly string[];
  startedAtMs: number;
  deadlineMs: number;
}

/**
 * The start response as JSON text, from the rendered questions: the same bytes as the
 * AttemptResponse object of attemptResponseOf written by JSON.stringify (same key order,
 * same escaping), a test holds that. Questions not found are left out, as there.
 */
export function renderAttempt(a: AttemptHead, rendered: (id: string) => RenderedQuestion | undefined, predictionPrompt: string): string {
  let questions = '';
  for (const id of a.questionIds) {
    const r = rendered(id);
    if (!r) continue;
    let q = r.head;
    const opts = shuffleOptions(r.options, a.seed, id);
    for (let i = 0; i < opts.length; i++) q += i === 0 ? opts[i].json : `,${opts[i].json}`;
    questions += questions === '' ? `${q}]}` : `,${q}]}`;
  }
  return (
    `{"attemptId":${JSON.stringify(a.id)},"attemptNo":${a.attemptNo},` +
    `"startedAt":"${new Date(a.startedAtMs).toISOString()}","deadline":"${new Date(a.deadlineMs).toISOString()}",` +
    `"questions":[${questions}],"predictionPrompt":${JSON.stringify(predictionPrompt)}}`
  );
}

/** The uncached path: the start response as an object, built from the stored questions. */
export function attemptResponseOf(
  a: AttemptHead,
  question: (id: string) => { text: string; options: readonly { id: string; text: string }[] } | undefined,
  predictionPrompt: string,
): AttemptResponse {
  return {
    attemptId: a.id,
    attemptNo: a.attemptNo,
    startedAt: new Date(a.startedAtMs).toISOString(),
    deadline: new Date(a.deadlineMs).toISOString(),
    questions: a.questionIds
      .filter((id) => question(id) !== undefined)
      .map((id) => {
        const q = question(id)!;
        return { id, text: q.text, options: shuffleOptions(q.options, a.seed, id).map((o) => ({ id: o.id, text: o.text })) };
      }),
    predictionPrompt,
  };
}
