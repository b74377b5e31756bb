import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ITEM_THRESHOLDS } from '../../lib/item-analysis';
import { errorResponses } from '../../lib/zod';
import { CorrectionBody, CorrectionQuery, CorrectionResponse, ItemAnalysisResponse, KeyConfirmationBody, QuestionParams, RoundParams } from './items.schemas';
import * as service from './items.service';
import { staffOn } from '../../plugins/access';
import type { PublicCache } from '../judging/index';

const security = [{ bearer: [] }];

export const itemsRoutes: FastifyPluginAsyncZod<{ cache: PublicCache }> = async (app, { cache }) => {
  // Organizers and judges of the contest (API.md v1.1 clarifications): membership is
  // checked where every staff route's is.
  const analyses = new service.AnalysisCache();

  // Each correction is settled once every process grades with the new key (see
  // settleLateSubmissions). In-process timers: lost if this process dies in those seconds,
  // which can only leave a submit that raced the correction with its old-key score.
  const settling = new Set<NodeJS.Timeout>();
  app.addHook('onClose', async () => {
    for (const timer of settling) clearTimeout(timer);
    settling.clear();
  });
  const settleLater = (questionId: string, correctedAt: Date) => {
    const timer = setTimeout(() => {
      settling.delete(timer);
      service
        .settleLateSubmissions(app.db, questionId, correctedAt)
        .catch((err: unknown) => app.log.error({ err, questionId }, 'settling a correction failed'));
    }, service.SETTLE_AFTER_MS);
    timer.unref();
    settling.add(timer);
  };

  app.get(
    '/admin/rounds/:roundId/item-analysis',
    {
      config: staffOn.round('organizer', 'judge'),
      schema: {
        tags: ['judging'],
        summary: 'Item analysis of a sealed round: facility, discrimination, option choices and flags per question',
        description:
          'Counts over the round’s submissions. The top and bottom groups are each ' +
          `${ITEM_THRESHOLDS.GROUP_PERCENT} % of the attempts that drew the question, ranked by their score without it. Flags: ` +
          'likely_miskeyed (in the top group a wrong option beats the key, and discrimination < 0), ' +
          `ambiguous (two options each take over ${ITEM_THRESHOLDS.AMBIGUOUS_TOP_SHARE * 100} % of the top group), ` +
          `too_easy (facility > ${ITEM_THRESHOLDS.TOO_EASY_FACILITY}), too_hard (facility < ${ITEM_THRESHOLDS.TOO_HARD_FACILITY}); ` +
          `none below ${ITEM_THRESHOLDS.MIN_DRAWN_FOR_FLAGS} attempts. 409 ROUND_NOT_CLOSED (Retry-After) until no submission can still be accepted.`,
        security,
        params: RoundParams,
        response: { 200: ItemAnalysisResponse, ...errorResponses('ROUND_NOT_CLOSED') },
      },
    },
    (req) => analyses.get(app.db, req.params.roundId),
  );

  app.post(
    '/admin/questions/:questionId/correction',
    {
      config: staffOn.question('organizer', 'judge'),
      schema: {
        tags: ['questions'],
        summary: 'Correct the key of a question (or void it) and regrade every submission that drew it',
        description:
          'One transaction: every submission whose attempt drew the question is re-scored in SQL, the question changes in every round ' +
          'that uses it, the results of those rounds become stale (409 RESULTS_STALE on publish and export until finalized again), a ' +
          'published round is withdrawn (winners 409 RESULTS_NOT_PUBLISHED until published again), and the audit log keeps the key before ' +
          'and after. A voided question counts as correct for every attempt that drew it. Every API process grades with the new key ' +
          'within 5 s. ?dryRun=true answers the same with `changes` (scores and prize rows that would change) and writes nothing. ' +
          '400 INVALID_CORRECTION: an option of another question, the current key, or voiding a voided question.',
        security,
        params: QuestionParams,
        querystring: CorrectionQuery,
        body: CorrectionBody,
        response: { 200: CorrectionResponse, ...errorResponses('INVALID_CORRECTION') },
      },
    },
    async (req) => {
      const correctedAt = new Date();
      const result = await service.correctQuestion(app.db, req.user.sub, req.params.questionId, req.body, req.query.dryRun, correctedAt);
      if (!result.dryRun) {
        settleLater(req.params.questionId, correctedAt);
        // This process serves the new key and the withdrawn winners at once; the others within their 5 s.
        for (const roundId of result.rounds) cache.forget(roundId);
      }
      return result;
    },
  );

  app.post(
    '/admin/questions/:questionId/key-confirmation',
    {
      config: staffOn.question('organizer', 'judge'),
      schema: {
        tags: ['questions'],
        summary: 'Record that the key of a flagged question was reviewed and is right',
        description: 'Audited. Item analysis then shows the question as reviewed, and the judge’s finalize view stops warning about it.',
        security,
        params: QuestionParams,
        body: KeyConfirmationBody,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await service.confirmKey(app.db, req.user.sub, req.params.questionId, req.body?.reason);
      return reply.code(204).send(null);
    },
  );
};
