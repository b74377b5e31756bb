export { attemptsRoutes, SUBMIT_BODY_LIMIT } from './attempts.routes';
export { defaultAttemptsOptions, type AttemptsOptions } from './attempts.options';
export { SubmitBody } from './attempts.schemas';
