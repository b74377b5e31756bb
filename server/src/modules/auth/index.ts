export { authRoutes } from './auth.routes';
export { hashPassword, toUserResponse } from './auth.service';
export { Phone, NationalId } from './auth.schemas';
