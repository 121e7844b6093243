/** The downloader's public API: read and check lists, then download them to a folder or S3. */
export { downloadUrls, type DownloadOptions } from './downloader.js';
export { readDownloadLists, LIST_EXTENSIONS, type ReadListsResult } from './sources.js';
export {
  parseEntries,
  mergeEntries,
  validateEntry,
  parseS3Url,
  type DownloadEntry,
  type EntryProblem,
  type ParsedEntries,
} from './input.js';
export { assignNames, nameFromUrl, checkUserPath } from './names.js';
export { redactUrl } from '../../core/redact.js';
export type { S3Destination } from './s3Target.js';
export { DownloadError, type DownloadErrorCode } from './errors.js';
export type { DownloadReport, DownloadItemResult, DownloadProgress, DownloadStatus } from './report.js';
export type { HttpOptions } from './http.js';
export { AddressPolicy } from './addresses.js';
export type { RetryTiming } from './policy.js';
