export { itemsRoutes } from './items.routes';
export { assertSealed } from './items.service';
