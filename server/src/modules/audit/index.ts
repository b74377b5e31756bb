export { recordAudit, type AuditEntry } from './audit.repo';
export { auditRoutes } from './audit.routes';
