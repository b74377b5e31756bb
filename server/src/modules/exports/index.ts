export { exportsRoutes } from './exports.routes';
export { writeExport, type ExportFormat } from './exports.service';
export { exportToFile } from './exports.file';
