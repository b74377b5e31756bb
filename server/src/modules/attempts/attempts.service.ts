import { randomUUID } from 'node:crypto';
import type { Database } from '../../../../db/client';
import { Batcher } from '../../lib/batcher';
import { drawQuestions, newSeed } from '../../lib/draw';
import { AppError, conflict, forbidden, isDependencyDown, notFound, tooManyRequests, unavailable } from '../../lib/errors';
import type { Limits } from '../../lib/limits';
import { isoString } from '../../lib/iso-time';
import { roundStatus, SUBMIT_GRACE_MS } from '../../lib/rounds';
import type { Throttle } from '../../lib/throttle';
import { withTimeout } from '../../lib/timeout';
import { sealedAtById } from '../contests/index';
import { gradeByPosition, gradeByQuestions, refusal } from './attempts.answers';
import type QuickLRU from 'quick-lru';
import { boundedLru } from '../../lib/lru';
import { RoundCache, type CachedRound } from './attempts.cache';
import { doneKey, MARKER_TTL_MS, markerJson, parseMarker, parseSummary, summaryKey, userKey, type Summary } from './attempts.markers';
import { defaultAttemptsOptions, defaultReader, defaultStarter, HOT_BATCH_TIMEOUT_MS, type AttemptsOptions } from './attempts.options';
import * as repo from './attempts.repo';
import { renderAttempt } from './attempts.render';
import type { ResultResponse, SubmitBody } from './attempts.schemas';
import { RowRejectedError, SubmissionWriter } from './attempts.writer';

interface Logger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface KnownAttempt extends repo.AttemptRecord {
  result: repo.StoredResult | null;
  /** The round's key digest the result was graded (or last read) under; unknown: read again before trusting its score. */
  resultKey?: string;
}

/** A database failure as the client should see it: 503 when it is down, the error otherwise. */
function dbError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (isDependencyDown(err)) return unavailable('The database is unavailable, try again shortly');
  return err;
}

/** Draws per start when the round keeps changing under it (each one reloads the round first). */
const STALE_DRAWS = 3;

export class AttemptsService {
  readonly rounds: RoundCache;
  readonly writer: SubmissionWriter;
  private reads: Batcher<string, repo.AttemptWithResult | null>;
  private starts: Batcher<repo.StartRequest, repo.StartOutcome>;
  private attempts: QuickLRU<string, KnownAttempt>;
  private sealedRounds = new Set<string>();

  constructor(
    private database: Database,
    private throttle: Throttle,
    private limits: Limits,
    private log: Logger,
    opts: AttemptsOptions = defaultAttemptsOptions,
    private now: () => number = Date.now,
  ) {
    this.rounds = new RoundCache(database, opts.roundCacheTtlMs, now);
    this.writer = new SubmissionWriter(database, opts.writer, opts.writerTelemetry);
    this.reads = new Batcher(
      async (ids) => {
        const found = await repo.loadAttempts(database, [...new Set(ids)]);
        return ids.map((id) => found.get(id) ?? null);
      },
      { ...defaultReader, ...opts.reader },
    );
    this.starts = new Batcher((reqs) => repo.startAttemptsSettled(database, reqs), { ...defaultStarter, ...opts.starter });
    this.attempts = boundedLru(opts.attemptCacheSize);
  }

  async close() {
    await this.starts.close();
    await this.writer.close();
    await this.reads.close();
  }

  async start(user: { sub: string; role: string }, roundId: string, ip: string): Promise<{ created: boolean; json: Buffer }> {
    if (user.role !== 'resident') throw forbidden('NOT_ELIGIBLE', 'Only residents take part in rounds');
    await this.gate(user.sub, 'start', this.limits.startPerUser, ip);

    let round = await this.rounds.get(roundId).catch((err) => Promise.reject(dbError(err)));
    let outcome: repo.StartOutcome;
    for (let draws = 1; ; draws++) {
      if (!round || round.contestStatus === 'draft') throw notFound('Round');
      const now = new Date(this.now());
      if (roundStatus(round.round, now) !== 'open') throw conflict('ROUND_NOT_OPEN', 'This round is not open');
      if (round.poolIds.length < round.round.questionCount)
        throw conflict('ROUND_NOT_OPEN', 'This round cannot start: its question pool is smaller than its question count');

      const seed = newSeed();
      const questionIds = drawQuestions(round.poolIds, round.round.questionCount, seed);
      try {
        outcome = await this.starts.push({ attemptId: randomUUID(), userId: user.sub, roundId, seed, questionIds, now, version: round.round.drawVersion });
      } catch (err) {
        throw dbError(err);
      }
      if (outcome.kind !== 'stale') break;
      // Drawn from a copy of the round that an organizer has changed since: draw again from the round as it is now.
      if (draws >= STALE_DRAWS) throw unavailable('This round is being changed, try again shortly');
      round = await this.rounds.reload(roundId, round).catch((err) => Promise.reject(dbError(err)));
    }

    if (outcome.kind === 'refused') throw refusal(outcome.reason, round.round.maxAttempts);
    const a = outcome.attempt;
    // Question ids shared with the round cache: a remembered attempt costs a few pointers.
    a.questionIds = a.questionIds.map((id) => round.questions.get(id)?.id ?? id);
    if (!this.attempts.get(a.id)) {
      this.attempts.set(a.id, { ...a, result: null, resultKey: undefined });
      const summary: Summary = { r: a.roundId, n: a.attemptNo, s: a.seed, t: a.startedAtMs, d: a.deadlineMs, q: a.questionIds };
      this.throttle.setMarker(summaryKey(user.sub, a.id), JSON.stringify(summary), Math.max(1000, a.deadlineMs + SUBMIT_GRACE_MS - this.now() + 60_000));
    }
    return { created: outcome.kind === 'created', json: await this.renderAttemptJson(round, outcome.attempt) };
  }

  async submit(userId: string, attemptId: string, body: SubmitBody, ip: string, deviceId: string | null = null): Promise<ResultResponse> {
    const markerKey = doneKey(userId, attemptId);
    // The attempt's summary is only worth its bytes when this process has not seen the attempt.
    const seen = this.attempts.get(attemptId);
    const [marker, summary] = await this.gate(userId, 'submit', this.limits.submitPerUser, ip, seen ? [markerKey] : [markerKey, summaryKey(userId, attemptId)]);
    if (marker) {
      const m = parseMarker(marker);
      if (m) return this.toResult(attemptId, m.roundId, await this.currentResult(userId, attemptId, m.roundId, m, m.k), true);
    }

    const attempt = seen ?? (await this.findAttempt(attemptId, userId, summary));
    if (!attempt || attempt.userId !== userId) throw notFound('Attempt');
    if (attempt.result) {
      const result = await this.currentResult(userId, attemptId, attempt.roundId, attempt.result, attempt.resultKey);
      return this.toResult(attemptId, attempt.roundId, result, true);
    }
    const now = this.now();
    if (now > attempt.deadlineMs + SUBMIT_GRACE_MS) {
      // Late by what this process knows; an organizer's override may have extended the
      // attempt since (admin overrides), so the database has the last word. Rare: only late submits pay.
      const stored = await this.reads.push(attemptId).catch((err) => Promise.reject(dbError(err)));
      if (stored && stored.userId === userId) attempt.deadlineMs = stored.deadlineMs;
      if (now > attempt.deadlineMs + SUBMIT_GRACE_MS) throw conflict('DEADLINE_PASSED', 'The time for this attempt is over');
    }

    // The usual submit (a cached round, answers by position) awaits nothing between the gate and the writer.
    const round = this.rounds.peek(attempt.roundId) ?? (await this.rounds.get(attempt.roundId).catch((err) => Promise.reject(dbError(err))));
    if (!round) throw notFound('Attempt');
    const graded = gradeByPosition(body, attempt, round) ?? (await gradeByQuestions(body, attempt, () => this.rounds.questionsOf(round, attempt.questionIds)));

    const stored: repo.StoredResult = { submittedAtMs: now, durationMs: now - attempt.startedAtMs, score: graded.score, total: graded.total };
    let outcome;
    try {
      outcome = await this.writer.submit({
        attemptId,
        roundId: attempt.roundId,
        userId,
        choices: graded.choices,
        answersSeq: graded.answersSeq,
        answersSet: graded.answersSet,
        prediction: body.prediction,
        score: stored.score,
        total: stored.total,
        submittedAt: new Date(now),
        durationMs: stored.durationMs,
        clientIp: ip,
        deviceId,
      });
    } catch (err) {
      if (err instanceof RowRejectedError && err.sqlState === '23514') throw conflict('DEADLINE_PASSED', 'The time for this attempt is over');
      if (err instanceof RowRejectedError && err.sqlState === '23503') throw notFound('Attempt');
      this.log.error({ err, attemptId }, 'submission not stored');
      throw unavailable('The submission could not be stored, send it again');
    }

    if (outcome === 'inserted') {
      attempt.result = stored;
      attempt.resultKey = round.keyDigest;
      this.throttle.setMarker(markerKey, markerJson(stored, attempt.roundId, round.keyDigest), MARKER_TTL_MS);
      return resultOf(attemptId, stored, round.round.revealScore === 'immediately', false);
    }
    // Another request (here or in another process) stored this attempt first: answer with its result.
    const winner = await this.reads.push(attemptId).catch((err) => Promise.reject(dbError(err)));
    if (!winner?.result || winner.userId !== userId) throw notFound('Attempt');
    attempt.result = winner.result;
    return this.toResult(attemptId, attempt.roundId, winner.result, true);
  }

  /**
   * A submit whose body fails the schema: a repeat of a stored submission still gets the
   * stored result (the body of a repeat does not matter), another user's attempt or an
   * unknown one the 404; anything else gets the 400.
   */
  async submitInvalid(userId: string, attemptId: string, ip: string, validationError: Error): Promise<ResultResponse> {
    const [marker] = await this.gate(userId, 'submit', this.limits.submitPerUser, ip, [doneKey(userId, attemptId)]);
    const m = marker ? parseMarker(marker) : null;
    if (m) return this.toResult(attemptId, m.roundId, await this.currentResult(userId, attemptId, m.roundId, m, m.k), true);
    let attempt: { userId: string; roundId: string; result: repo.StoredResult | null; resultKey?: string } | null = this.attempts.get(attemptId) ?? null;
    if (!attempt?.result) attempt = await this.reads.push(attemptId).catch((err) => Promise.reject(dbError(err)));
    // Another user's attempt, or none: 404 whatever the body (API.md), as with a valid one.
    if (!attempt || attempt.userId !== userId) throw notFound('Attempt');
    if (attempt.result)
      return this.toResult(attemptId, attempt.roundId, await this.currentResult(userId, attemptId, attempt.roundId, attempt.result, attempt.resultKey), true);
    throw validationError;
  }

  /**
   * A stored result as it stands now. A correction regrades stored submissions in Postgres;
   * a copy taken under another answer key (the round's key digest) is read again, so a
   * repeat submit answers with the regraded score. The round's key follows within its
   * cache TTL. If the database cannot answer, the copy is served.
   */
  private async currentResult(userId: string, attemptId: string, roundId: string, r: repo.StoredResult, k: string | undefined): Promise<repo.StoredResult> {
    const round = await this.rounds.get(roundId).catch(() => null);
    if (!round || round.keyDigest === k) return r;
    const fresh = await this.reads.push(attemptId).catch(() => null);
    if (!fresh?.result || fresh.userId !== userId) return r;
    const result: repo.StoredResult = {
      submittedAtMs: fresh.result.submittedAtMs,
      durationMs: fresh.result.durationMs,
      score: fresh.result.score,
      total: fresh.result.total,
    };
    const known = this.attempts.get(attemptId);
    if (known) {
      known.result = result;
      known.resultKey = round.keyDigest;
    }
    this.throttle.setMarker(doneKey(userId, attemptId), markerJson(result, roundId, round.keyDigest), MARKER_TTL_MS);
    return result;
  }

  /** One script per request: the user's and the address's budgets (and the submission marker). */
  private async gate(userId: string, action: 'start' | 'submit', perUser: Limits['startPerUser'], ip: string, markerKeys?: string[]) {
    const g = await this.throttle.gate({
      rates: [
        { key: `rl:${userKey(userId)}:${action}`, budget: perUser },
        { key: `rl:{ip:${ip}}:hot`, budget: this.limits.hotPathPerIp },
      ],
      markerKeys,
    });
    if (!g.allowed) throw tooManyRequests(g.retryAfterMs / 1000);
    return g.markers;
  }

  /**
   * An attempt this process did not know before the gate: its memory again (a concurrent
   * request may have brought it in meanwhile), the summary Redis returned with the gate,
   * then Postgres.
   */
  private async findAttempt(attemptId: string, userId: string, summary: string | null | undefined): Promise<KnownAttempt | null> {
    const known = this.attempts.get(attemptId);
    if (known) return known;
    const s = summary ? parseSummary(summary) : null;
    if (s) {
      const a: KnownAttempt = {
        id: attemptId,
        userId,
        roundId: s.r,
        attemptNo: s.n,
        seed: s.s,
        questionIds: s.q,
        startedAtMs: s.t,
        deadlineMs: s.d,
        result: null,
        resultKey: undefined,
      };
      this.attempts.set(attemptId, a);
      return a;
    }
    let found: repo.AttemptWithResult | null;
    try {
      found = await this.reads.push(attemptId);
    } catch (err) {
      throw dbError(err);
    }
    if (found) this.attempts.set(attemptId, found);
    return found;
  }

  /**
   * The start response as UTF-8 JSON, concatenated from the round's rendered questions
   * (attempts.render.ts): the same bytes the AttemptResponse object would serialize to.
   */
  private async renderAttemptJson(round: CachedRound, a: repo.AttemptRecord): Promise<Buffer> {
    const questions = await this.rounds.questionsOf(round, a.questionIds);
    return renderAttempt(a, (id) => questions.get(id)?.r, round.promptTail);
  }

  /**
   * revealScore "after_close" shows scores once the round is sealed (API.md v1.1). A
   * submission being accepted means the round is not sealed, so only a repeat asks the
   * database; a sealed round stays sealed, so the answer is remembered.
   */
  private async isSealed(roundId: string): Promise<boolean> {
    if (this.sealedRounds.has(roundId)) return true;
    const at = await withTimeout(sealedAtById(this.database.db, roundId), HOT_BATCH_TIMEOUT_MS, 'sealed time').catch(() => null);
    if (!at || this.now() < at.getTime()) return false;
    this.sealedRounds.add(roundId);
    return true;
  }

  /** A stored result as answered to a repeat; a fresh submit answers with resultOf directly. */
  private async toResult(attemptId: string, roundId: string, r: repo.StoredResult, duplicate: boolean): Promise<ResultResponse> {
    const round = this.rounds.peek(roundId) ?? (await this.rounds.get(roundId).catch(() => null));
    // Unknown round config (the database is down): hold the score back rather than guess.
    const reveal = !!round && (round.round.revealScore === 'immediately' || (duplicate && (await this.isSealed(roundId))));
    return resultOf(attemptId, r, reveal, duplicate);
  }
}

/** The submit's answer: the score only when it may be shown (`reveal`), `duplicate` on a repeat. */
function resultOf(attemptId: string, r: repo.StoredResult, reveal: boolean, duplicate: boolean): ResultResponse {
  const out: ResultResponse = {
    attemptId,
    status: 'submitted',
    submittedAt: isoString(r.submittedAtMs),
    durationMs: r.durationMs,
    total: r.total,
  };
  if (reveal) out.score = r.score;
  if (duplicate) out.duplicate = true;
  return out;
}
