export { questionsRoutes } from './questions.routes';
export { toAdminQuestion } from './questions.service';
export { AdminQuestion } from './questions.schemas';
export { readUpload, attachment, MAX_UPLOAD_BYTES, type Upload } from './questions.upload';
export { readUploadedSheet, type FileOut } from './questions.import';
export { RowErrorSchema, FileFormatQuery, FileResponse } from './questions.schemas';
