// Message templates (English, Traditional Chinese) of the desk's evidence texts; see index.ts.
import type { MessageCatalogue } from './index.ts';

export const EVIDENCE_MESSAGES: MessageCatalogue = {};
