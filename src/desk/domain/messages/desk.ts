// Message templates (English, Traditional Chinese) of the desk's desk texts; see index.ts.
import type { MessageCatalogue } from './index.ts';

export const DESK_MESSAGES: MessageCatalogue = {};
