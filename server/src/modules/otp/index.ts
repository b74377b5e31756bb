export { otpRoutes } from './otp.routes';
export { OtpService, otpInvalid, type OtpOptions } from './otp.service';
export { ConsoleSender, HttpSender, type OtpSender, type OtpMessage } from './otp.sender';
