// Message templates (English, Traditional Chinese) of the desk's desk texts; see index.ts.
import type { MessageCatalogue } from './catalogue.ts';

export const DESK_MESSAGES: MessageCatalogue = {
  // User administration, reminders, exports (the desk officer's screens)
  'session.notFound': { en: 'There is no practice session {id}.', 'zh-Hant': '沒有演習 {id}。' },
  'user.notFound': { en: 'There is no user {id}.', 'zh-Hant': '沒有用戶 {id}。' },
  'user.usernameTaken': { en: 'The username {username} is taken.', 'zh-Hant': '用戶名稱 {username} 已被使用。' },
  'user.unknownFirm': { en: 'There is no subscriber {id}.', 'zh-Hant': '沒有用戶公司 {id}。' },
  'user.invalid.username': {
    en: 'A username is 3 to 64 lowercase letters, digits, . _ @ or -, starting with a letter or digit.',
    'zh-Hant': '用戶名稱須為3至64個小寫英文字母、數字或 . _ @ -，並以字母或數字開首。',
  },
  'user.invalid.password': { en: 'A password is 10 to 200 characters.', 'zh-Hant': '密碼須為10至200個字元。' },
  'user.invalid.displayName': { en: 'Give a display name (at most 100 characters).', 'zh-Hant': '請填寫顯示名稱（最多100個字元）。' },
  'user.invalid.role': { en: 'Choose desk officer or subscriber user.', 'zh-Hant': '請選擇服務台人員或用戶公司用戶。' },
  'user.invalid.subscriberId': { en: 'A subscriber user needs the firm it acts for.', 'zh-Hant': '用戶公司用戶須指明所代表的公司。' },
  'user.invalid.deskWithFirm': { en: 'A desk officer is not tied to a firm: leave the firm empty.', 'zh-Hant': '服務台人員不屬於任何公司：公司一欄請留空。' },
  'user.cannotDisableSelf': { en: 'You cannot disable your own account.', 'zh-Hant': '不能停用自己的帳戶。' },
  'user.disabled': { en: 'This account is disabled: ask the service desk to enable it.', 'zh-Hant': '此帳戶已停用：請聯絡服務台重新啟用。' },
  'reminder.mailerNotConfigured': {
    en: 'This desk has no mail server (start it with --smtp HOST:PORT): no reminder was sent. The firms below would be reminded.',
    'zh-Hant': '本服務台未設定郵件伺服器（以 --smtp HOST:PORT 啟動）：未有發出提示。以下公司會收到提示。',
  },
  'reminder.sendFailed': {
    en: 'The mail server refused the reminder to {subscriber}: {error}',
    'zh-Hant': '郵件伺服器拒絕發送給 {subscriber} 的提示：{error}',
  },
  // Sessions in a series: a firm's outcome in each session, the retake mark
  'series.orderTaken': {
    en: 'Session {other} is already number {order} of series {series}: choose another number.',
    'zh-Hant': '演習 {other} 已是系列 {series} 的第 {order} 次：請選擇另一個次序。',
  },
  'series.outcome.passed': { en: 'Passed', 'zh-Hant': '通過' },
  'series.outcome.passed-with-issues': { en: 'Passed with issues', 'zh-Hant': '通過但有問題' },
  'series.outcome.failed': { en: 'Failed', 'zh-Hant': '失敗' },
  'series.outcome.not-tested': { en: 'Not tested', 'zh-Hant': '未測試' },
  'series.outcome.no-result': { en: 'No Appendix B', 'zh-Hant': '未交附錄乙' },
  'series.outcome.declined': { en: 'Declined', 'zh-Hant': '不參與' },
  'series.outcome.not-in-scope': { en: 'Not in scope', 'zh-Hant': '不在範圍內' },
  'series.retake': { en: 'Retake: passed none of {sessions}', 'zh-Hant': '須重考：{sessions} 均未通過' },
  // hardening: sign-in throttling, submissions on a firm's behalf
  LOGIN_RATE_LIMITED: {
    en: 'Too many failed sign-ins for {username} from this address; try again in {seconds} s.',
    'zh-Hant': '此位址以 {username} 登入失敗次數過多；請於 {seconds} 秒後再試。',
  },
  LOGIN_ADDRESS_RATE_LIMITED: {
    en: 'Too many failed sign-ins from this address; try again in {seconds} s.',
    'zh-Hant': '此位址登入失敗次數過多；請於 {seconds} 秒後再試。',
  },
  ON_BEHALF_REASON_REQUIRED: {
    en: "onBehalfReason: say why you submit this form for {firm} (a desk officer submits on the firm's behalf).",
    'zh-Hant': 'onBehalfReason：請說明為何代 {firm} 提交此表格（服務台人員代表公司提交）。',
  },
  ON_BEHALF_REASON_NOT_ALLOWED: {
    en: 'onBehalfReason: only a desk officer submitting for a firm gives a reason; leave it out.',
    'zh-Hant': 'onBehalfReason：只有代公司提交的服務台人員才需填寫原因；請勿填寫。',
  },
  ON_BEHALF_REASON_INVALID: {
    en: 'onBehalfReason: {problem}.',
    'zh-Hant': 'onBehalfReason：{problem}。',
  },
};
