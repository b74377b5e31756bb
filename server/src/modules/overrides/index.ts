export { overridesRoutes } from './overrides.routes';
