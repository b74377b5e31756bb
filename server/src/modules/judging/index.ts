export { judgingRoutes } from './judging.routes';
export { PublicCache } from './judging.cache';
export { requireCurrentResults, toRankingRow } from './judging.service';
export { previewPrizeChanges, ORDER_CHAIN, type AppliedRules } from './finalize.service';
export { resultRowsIn, lastPrizePosition, roleChanged, withdrawPublication, type ExportRow } from './judging.repo';
export type { PrizeChange } from './finalize.sql';
