// Reminder emails before each deadline to subscribers who have not returned the form.
export interface ReminderMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface ReminderMailer {
  send(m: ReminderMessage): Promise<void>;
}
