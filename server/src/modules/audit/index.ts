export { recordAudit, type AuditEntry } from './audit.repo';
export { AUDIT_LIST_MAX, listChange, listDigest, listHead } from './audit.lists';
export { auditRoutes } from './audit.routes';
