export { authRoutes } from './auth.routes';
export { hashPassword, toUserResponse } from './auth.service';
export { NewPassword, Phone, NationalId, UserResponse } from './auth.schemas';
export { bumpTokenVersion, clearLoginFailures, findUserById, findUserByPhone, type AccountChange } from './auth.repo';
