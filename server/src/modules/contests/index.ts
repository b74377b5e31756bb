export { contestsRoutes } from './contests.routes';
export { requireContest, requireRound, toRoundResponse } from './contests.service';
export { ContestParams, RoundParams, RoundResponse } from './contests.schemas';
export { roundHasAttempts, poolSize } from './contests.repo';
