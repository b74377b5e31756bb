export { judgingRoutes } from './judging.routes';
export { PublicCache } from './judging.cache';
export { requireCurrentResults, toRankingRow, previewPrizeChanges, ORDER_CHAIN, type AppliedRules } from './judging.service';
export { resultRowsAfter, lastPrizePosition, type ExportRow, type PrizeChange } from './judging.repo';
