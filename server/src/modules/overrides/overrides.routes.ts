import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../lib/zod';
import { RoundParams } from '../contests/index';
import { OverrideBody, OverrideByPhoneBody, OverrideParams, OverrideResponse } from './overrides.schemas';
import * as service from './overrides.service';
import { staffOn } from '../../plugins/access';

const errors = errorResponses(400, 401, 403, 404, 409);
const sec = [{ bearer: [] }];

export const overridesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/admin/rounds/:roundId/overrides',
    {
      config: staffOn.round('organizer'),
      schema: { tags: ['organizing'], security: sec, params: RoundParams, response: { 200: z.array(OverrideResponse), ...errors } },
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
        description: 'The same as PUT …/overrides/:userId, naming the resident by phone.',
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
        description: 'Extra attempts and extra seconds for one resident after an incident, with a reason (audit-logged).',
        params: OverrideParams,
        body: OverrideBody,
        response: { 200: OverrideResponse, ...errors },
      },
    },
    (req) => service.setOverride(app.db, req.user.sub, req.params.roundId, req.params.userId, req.body),
  );
};
