// Message templates (English, Traditional Chinese) of the desk's desk texts; see index.ts.
import type { MessageCatalogue } from './index.ts';

export const DESK_MESSAGES: MessageCatalogue = {
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
    en: 'onBehalfReason: say why you submit this form for {firm} (a desk officer submits on the firm\'s behalf).',
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
