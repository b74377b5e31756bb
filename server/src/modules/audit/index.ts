export { recordAudit, type AuditEntry } from './audit.repo';
