export { attemptsRoutes, SUBMIT_BODY_LIMIT } from './attempts.routes';
export { UnreadableBody } from './attempts.validate';
export { defaultAttemptsOptions, type AttemptsOptions } from './attempts.options';
export { SubmitBody } from './attempts.schemas';
