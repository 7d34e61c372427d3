// The service desk: domain, stores, HTTP API. See API.md for the routes.
export * from './domain/index.ts';
export * from './store/index.ts';
export { DeskError } from './errors.ts';
export { startDesk, type DeskOptions, type RunningDesk } from './server.ts';
export { LiveFeed, type LiveEvent } from './api/live.ts';
export {
  ReminderScheduler,
  createSmtpMailer,
  reminderMessage,
  missingSubscribers,
  type ReminderMailer,
  type ReminderMessage,
  type ReminderRun,
} from './reminders.ts';
export * from './demo.ts';
export { ensureWebBuilt, webBuildIsFresh, WEB_DIST } from './web-build.ts';
export { renderFormPdf, findCjkFont, type FormPdfInput } from './form-pdf.ts';
export { buildEvidenceBundle, verifyEvidenceBundle, readTar, writeTar, BUNDLE_FORMAT, type BundleManifest, type BundleCheck } from './bundle.ts';
export { DeskMetrics, registerDeskMetrics } from './metrics.ts';
export { DeskService, type EvidenceIngestion, type EvidenceRejection, type FormSubmissionRequest } from './service.ts';
export { seriesStandings, firmHistory, type SeriesStandings, type SeriesView, type FirmSessionStanding } from './series.ts';
