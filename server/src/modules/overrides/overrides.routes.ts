import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../lib/zod';
import { RoundParams } from '../contests/index';
import { MyOverridesResponse, OverrideBody, OverrideByPhoneBody, OverrideParams, OverrideResponse } from './overrides.schemas';
import * as service from './overrides.service';
import { staffOn } from '../../plugins/access';

const errors = errorResponses('NOT_FOUND', 'NOT_A_RESIDENT', 'ROUND_SEALED', 'OVERRIDE_BELOW_USED');
const sec = [{ bearer: [] }];

export const overridesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me/overrides',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['accounts'],
        summary: "The caller's overrides",
        description:
          "What organizers granted the caller, per round: `extraAttempts` more than the round's `maxAttempts`, `extraSeconds` more on each attempt. The reason they wrote stays with staff. An empty list for anyone without one.",
        security: sec,
        response: { 200: MyOverridesResponse },
      },
    },
    (req) => service.myOverrides(app.db, req.user.sub),
  );

  app.get(
    '/admin/rounds/:roundId/overrides',
    {
      config: staffOn.round('organizer'),
      schema: { tags: ['organizing'], security: sec, summary: "The round's overrides", params: RoundParams, response: { 200: z.array(OverrideResponse) } },
    },
    (req) => service.listOverrides(app.db, req.params.roundId),
  );

  app.post(
    '/admin/rounds/:roundId/overrides',
    {
      config: staffOn.round('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description: 'The same as PUT …/overrides/:userId, naming the resident by phone (404 when no account has it).',
        params: RoundParams,
        body: OverrideByPhoneBody,
        response: { 200: OverrideResponse, ...errors },
      },
    },
    (req) => {
      const { phone, ...body } = req.body;
      return service.setOverrideByPhone(app.db, req.user.sub, req.params.roundId, phone, body);
    },
  );

  app.put(
    '/admin/rounds/:roundId/overrides/:userId',
    {
      config: staffOn.round('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description:
          'Extra attempts and extra seconds for one resident after an incident, with a reason (audit-logged). 400 NOT_A_RESIDENT for a staff account; 409 ROUND_SEALED once the round is sealed; 409 OVERRIDE_BELOW_USED when the resident already used more attempts than it would allow.',
        params: OverrideParams,
        body: OverrideBody,
        response: { 200: OverrideResponse, ...errors },
      },
    },
    (req) => service.setOverride(app.db, req.user.sub, req.params.roundId, req.params.userId, req.body),
  );
};
