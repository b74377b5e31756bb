import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../lib/zod';
import {
  ContestBody,
  ContestDetail,
  ContestParams,
  ContestPatchBody,
  ContestSummary,
  Member,
  MembersBody,
  MyContest,
  RoundBody,
  RoundParams,
  RoundPatchBody,
  RoundResponse,
} from './contests.schemas';
import * as service from './contests.service';
import { staffOn } from '../../plugins/access';

const ContestResponse = ContestSummary.extend({ description: z.string(), rules: z.string(), onePrizePerPerson: z.boolean() });

export const contestsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/contests', { schema: { tags: ['contests'], response: { 200: z.array(ContestSummary) } } }, () => service.listContests(app.db));

  app.get(
    '/contests/:contestId',
    { schema: { tags: ['contests'], params: ContestParams, response: { 200: ContestDetail, ...errorResponses('NOT_FOUND') } } },
    (req) => service.getContest(app.db, req.params.contestId, { includeDraft: false }),
  );

  const sec = [{ bearer: [] }];

  app.get(
    '/admin/contests/:contestId',
    {
      config: staffOn.contest('organizer', 'judge'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description:
          'The contest as its staff see it: drafts too, and per round the sealing time, whether it is sealed, the pool size and the fair-play threshold.',
        params: ContestParams,
        response: { 200: ContestDetail },
      },
    },
    (req) => service.getContest(app.db, req.params.contestId, { includeDraft: true }),
  );

  app.get(
    '/admin/contests',
    {
      config: staffOn.none('organizer', 'judge'),
      schema: {
        tags: ['organizing'],
        security: sec,
        summary: "The caller's contests (all of them for admins), with the caller's role in each",
        response: { 200: z.array(MyContest) },
      },
    },
    (req) => service.listMyContests(app.db, req.user),
  );

  app.get(
    '/admin/contests/:contestId/members',
    {
      config: staffOn.contest('organizer', 'judge'),
      schema: {
        tags: ['organizing'],
        security: sec,
        summary: "The contest's staff members",
        params: ContestParams,
        response: { 200: z.array(Member) },
      },
    },
    (req) => service.listMembers(app.db, req.params.contestId),
  );

  app.put(
    '/admin/contests/:contestId/members',
    {
      config: staffOn.contest('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        summary: "Replace the contest's staff members (by phone)",
        description:
          'Each phone must be an account whose role is the member role (organizer or judge): otherwise 400 VALIDATION_FAILED naming it in `details`. A list without an organizer is 409 LAST_ORGANIZER. Audit-logged.',
        params: ContestParams,
        body: MembersBody,
        response: { 200: z.array(Member), ...errorResponses('LAST_ORGANIZER') },
      },
    },
    (req) => service.replaceMembers(app.db, req.user.sub, req.params.contestId, req.body),
  );

  app.post(
    '/admin/contests',
    {
      config: staffOn.none('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description: 'An organizer who creates a contest becomes its organizer member. Audit-logged.',
        body: ContestBody,
        response: { 201: ContestResponse, ...errorResponses('SLUG_TAKEN') },
      },
    },
    async (req, reply) => reply.code(201).send(await service.createContest(app.db, req.user, req.body)),
  );

  app.patch(
    '/admin/contests/:contestId',
    {
      config: staffOn.contest('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        params: ContestParams,
        body: ContestPatchBody,
        response: { 200: ContestResponse, ...errorResponses('SLUG_TAKEN') },
      },
    },
    (req) => service.updateContest(app.db, req.user.sub, req.params.contestId, req.body),
  );

  app.post(
    '/admin/contests/:contestId/rounds',
    {
      config: staffOn.contest('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description:
          '409 POOL_TOO_SMALL for a round that opens now or earlier (its pool is still empty: create it with a later opensAt, then PUT its questions).',
        params: ContestParams,
        body: RoundBody,
        response: { 201: RoundResponse, ...errorResponses('POOL_TOO_SMALL', 'ROUND_NUMBER_TAKEN') },
      },
    },
    async (req, reply) => reply.code(201).send(await service.createRound(app.db, req.user.sub, req.params.contestId, req.body)),
  );

  app.patch(
    '/admin/rounds/:roundId',
    {
      config: staffOn.round('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description:
          'Closing early (`closesAt` now or earlier) brings the deadline of every running attempt down to it. ' +
          '400 VALIDATION_FAILED: closesAt not after opensAt. 409 ROUND_SEALED: moving closesAt later once sealed (a finalized round too). 409 ROUND_FINALIZED: any other edit of a finalized round. ' +
          '409 ROUND_LOCKED: changing questionCount once there are attempts. 409 ATTEMPTS_EXCEED_CAP: maxAttempts below attempts already used. ' +
          '409 POOL_TOO_SMALL: the round is (or would be) open with a pool smaller than questionCount. Audit-logged.',
        params: RoundParams,
        body: RoundPatchBody,
        response: {
          200: RoundResponse,
          ...errorResponses('ROUND_FINALIZED', 'ROUND_SEALED', 'ROUND_NUMBER_TAKEN', 'ROUND_LOCKED', 'ATTEMPTS_EXCEED_CAP', 'POOL_TOO_SMALL'),
        },
      },
    },
    (req) => service.updateRound(app.db, req.user.sub, req.params.roundId, req.body),
  );
};
