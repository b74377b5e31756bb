export { contestsRoutes } from './contests.routes';
export { assertSealed, isSealed, requireContest, requireRound, roundNotClosed, sealedAt, sealedAtById, toRoundResponse } from './contests.service';
export { ContestParams, RoundParams, RoundResponse } from './contests.schemas';
export { contestFileRoute, contestImportRoute } from './contests.files';
export { lockRound, lockUnsubmittedAttempts, roundHasAttempts, poolSize } from './contests.repo';
