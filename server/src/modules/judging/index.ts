export { judgingRoutes } from './judging.routes';
export { requireCurrentResults, toRankingRow, ORDER_CHAIN, type AppliedRules } from './judging.service';
export { resultRowsAfter, lastPrizePosition, type ResultRow } from './judging.repo';
