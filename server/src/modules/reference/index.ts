export { referenceRoutes } from './reference.routes';
