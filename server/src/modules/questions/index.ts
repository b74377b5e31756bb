export { questionsRoutes } from './questions.routes';
export { toAdminQuestion } from './questions.service';
export { AdminQuestion } from './questions.schemas';
