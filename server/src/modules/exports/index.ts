export { exportsRoutes } from './exports.routes';
export { writeExport, exportToFile, type ExportFormat } from './exports.service';
