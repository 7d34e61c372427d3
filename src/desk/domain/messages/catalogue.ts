// The shape of a message catalogue, apart from index.ts so that the catalogues need not import the file that gathers them.

/** `{name}` marks where a parameter goes. */
export interface MessageTemplates {
  readonly en: string;
  readonly 'zh-Hant': string;
}
export type MessageCatalogue = Readonly<Record<string, MessageTemplates>>;
