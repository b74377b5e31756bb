export { statsRoutes, type StatsOptions } from './stats.routes';
