export { authRoutes } from './auth.routes';
export { hashPassword, toUserResponse } from './auth.service';
export { Phone, NationalId, UserResponse } from './auth.schemas';
export { bumpTokenVersion, type AccountChange } from './auth.repo';
