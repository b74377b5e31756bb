import { shuffleOptions } from '../../lib/draw';
import type { AttemptResponse } from './attempts.schemas';

/**
 * A question as a contestant sees it, rendered to JSON once per round (and process): the
 * `{"id":…,"text":…,"options":[` head and one fragment per option. Only `id` and `text`
 * are read from the stored question and its options, so an option's `correct` flag or the
 * question's explanation are never part of a fragment. A start then only shuffles the
 * fragments by the attempt's seed and concatenates them. Fragments are kept UTF-8 encoded:
 * the texts are Vietnamese, and encoding ~3 KB of them per start (once to count the bytes
 * for content-length, once to write) was the largest share of a start in the profile.
 */
export interface RenderedQuestion {
  head: Buffer;
  /** The options with their `{"id":…,"text":…}` fragment, in stored order (shuffleOptions sorts). */
  options: { id: string; json: Buffer }[];
}

export function renderQuestion(q: { id: string; text: string; options: readonly { id: string; text: string }[] }): RenderedQuestion {
  return {
    head: Buffer.from(`{"id":${JSON.stringify(q.id)},"text":${JSON.stringify(q.text)},"options":[`),
    options: q.options.map((o) => ({ id: o.id, json: Buffer.from(`{"id":${JSON.stringify(o.id)},"text":${JSON.stringify(o.text)}}`) })),
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

const COMMA = Buffer.from(',');
const CLOSE_QUESTION = Buffer.from(']}');

/** A round's prediction prompt as the tail of a start response, encoded once per round. */
export function renderPromptTail(predictionPrompt: string): Buffer {
  return Buffer.from(`],"predictionPrompt":${JSON.stringify(predictionPrompt)}}`);
}

/**
 * The start response as UTF-8 JSON, from the rendered questions: the same bytes as the
 * AttemptResponse object of attemptResponseOf written by JSON.stringify (same key order,
 * same escaping), a test holds that. Questions not found are left out, as there.
 */
export function renderAttempt(a: AttemptHead, rendered: (id: string) => RenderedQuestion | undefined, promptTail: Buffer): Buffer {
  const parts: Buffer[] = [
    Buffer.from(
      `{"attemptId":${JSON.stringify(a.id)},"attemptNo":${a.attemptNo},` +
        `"startedAt":"${new Date(a.startedAtMs).toISOString()}","deadline":"${new Date(a.deadlineMs).toISOString()}","questions":[`,
    ),
  ];
  let length = parts[0].length;
  const add = (b: Buffer) => {
    parts.push(b);
    length += b.length;
  };
  let first = true;
  for (const id of a.questionIds) {
    const r = rendered(id);
    if (!r) continue;
    if (!first) add(COMMA);
    first = false;
    add(r.head);
    const opts = shuffleOptions(r.options, a.seed, id);
    for (let i = 0; i < opts.length; i++) {
      if (i > 0) add(COMMA);
      add(opts[i].json);
    }
    add(CLOSE_QUESTION);
  }
  add(promptTail);
  return Buffer.concat(parts, length);
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
