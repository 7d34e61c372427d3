// Message templates (English, Traditional Chinese) of the desk's validation texts; see index.ts.
import type { MessageCatalogue } from './index.ts';

export const VALIDATION_MESSAGES: MessageCatalogue = {};
