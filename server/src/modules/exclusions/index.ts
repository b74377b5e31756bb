export { exclusionsRoutes } from './exclusions.routes';
export { isExcluded } from './exclusions.repo';
