export { judgingRoutes } from './judging.routes';
export { requireCurrentResults, toRankingRow, ORDER_CHAIN, type AppliedRules } from './judging.service';
export { resultRowsAfter, lastPrizePosition, type ExportRow } from './judging.repo';
