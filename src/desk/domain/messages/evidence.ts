// Message templates (English, Traditional Chinese) of the desk's evidence texts; see index.ts.
// Evidence descriptions (`evidence.at`: "logon at primary 08:35 (venue)") take
// the kind, the site and the provenance as messages of their own, so each reads
// naturally in either language. Contradictions are `contradiction.*`: the code's
// title, what was declared, and what the evidence says.
import type { MessageCatalogue, MessageTemplates } from './catalogue.ts';
// Type only: the web UI bundles this catalogue, and the evidence module's files reader needs Node.
import type { EvidenceKind } from '../../../evidence/index.ts';

const KINDS_ZH: Record<EvidenceKind, string> = {
  lookup: '查詢網關',
  logon: '登入',
  'logon-rejected': '登入被拒',
  logout: '登出',
  disconnect: '斷線',
  'resend-request': '重發請求',
  'retransmission-request': '重傳請求',
  order: '訂單',
  ack: '確認',
  cancel: '取消',
  reject: '拒絕',
  'feed-joined': '接收數據流',
  'feed-lost': '數據流中斷',
  'line-switch': '切換數據線路',
  gap: '數據缺口',
  'gap-recovered': '缺口已補回',
  'refresh-used': '使用刷新頻道',
  'sequence-reset': '序號重設',
  'failover-followed': '已跟隨切換',
  'failover-failed': '切換失敗',
  'clean-up': '清理檢查',
  readiness: '連線準備檢查',
  'dr-signal': '災難備援信號',
  'book-verified': '核對訂單簿',
  'site-lost': '站點中斷',
  'site-activated': '站點啟動',
  'market-phase': '市場時段',
};

const kinds: Record<string, MessageTemplates> = {};
for (const [k, zh] of Object.entries(KINDS_ZH)) kinds[`evidence.kind.${k}`] = { en: k, 'zh-Hant': zh };

export const EVIDENCE_MESSAGES: MessageCatalogue = {
  ...kinds,
  'evidence.site.primary': { en: 'primary', 'zh-Hant': '主要站' },
  'evidence.site.backup': { en: 'backup', 'zh-Hant': '後備站' },
  'evidence.provenance.venue': { en: 'venue', 'zh-Hant': '交易所記錄' },
  'evidence.provenance.self-reported': { en: 'self-reported', 'zh-Hant': '自行申報' },
  'evidence.provenance.none': { en: 'no evidence', 'zh-Hant': '沒有證據' },
  // One event: "logon at primary 08:35 (venue)".
  'evidence.at': { en: '{kind} at {site} {time} ({provenance})', 'zh-Hant': '{time} {site}{kind}（{provenance}）' },
  // Two descriptions joined.
  'evidence.and': { en: '{first}; {second}', 'zh-Hant': '{first}；{second}' },
  'evidence.then': { en: '{first}, {second}', 'zh-Hant': '{first}，{second}' },
  // A venue-observable claim only the firm's probe makes: shown, never counted.
  'evidence.selfClaimNotCounted': {
    en: "{finding}; the firm's probe reports {claim}, which the venue did not see and which does not count",
    'zh-Hant': '{finding}；公司的探測程式報告{claim}，交易所未有記錄，不予計算',
  },
  'evidence.selfReportedOnly': {
    en: "{claim}; the venue recorded nothing for this firm, so this is the firm's own word",
    'zh-Hant': '{claim}；交易所沒有此公司的任何記錄，此為公司自行申報',
  },

  // Pre-fill bases of Appendix B.
  'evidence.basis.noPrimaryConnect': { en: 'no logon or feed join at the primary site seen', 'zh-Hant': '未見於主要站登入或接收數據流' },
  'evidence.basis.noBackupConnect': { en: 'no logon or feed join at the backup site seen', 'zh-Hant': '未見於後備站登入或接收數據流' },
  'evidence.basis.noLoss': { en: 'no loss of the primary site seen', 'zh-Hant': '未見主要站中斷' },
  'evidence.basis.logonAccepted': { en: 'logon accepted at backup: {at}', 'zh-Hant': '後備站接納登入：{at}' },
  'evidence.basis.logonRefusals': { en: '{count} logon refusal(s) at backup, first {first}', 'zh-Hant': '後備站拒絕登入 {count} 次，首次：{first}' },
  'evidence.basis.acks': { en: '{count} acknowledgement(s) at backup, first {first}', 'zh-Hant': '後備站確認 {count} 次，首次：{first}' },
  'evidence.basis.noAck': { en: 'no acknowledgement at the backup site seen', 'zh-Hant': '未見後備站的確認' },
  'evidence.basis.ordersResting': {
    en: '{count} order(s) still resting at the clean-up check at {time}',
    'zh-Hant': '於 {time} 清理檢查時仍有 {count} 張訂單',
  },
  'evidence.basis.noOrderResting': { en: 'no order resting at the clean-up check at {time}', 'zh-Hant': '於 {time} 清理檢查時沒有掛單' },
  'evidence.basis.loggedOnAtPrimary': { en: 'logged on at the primary site at the clean-up check at {time}', 'zh-Hant': '於 {time} 清理檢查時已於主要站登入' },
  'evidence.basis.notBackAtPrimary': {
    en: 'not logged on at the primary site at the clean-up check at {time}',
    'zh-Hant': '於 {time} 清理檢查時未於主要站登入',
  },
  'evidence.basis.gapsNeverRecovered': { en: '{count} gap(s) never recovered', 'zh-Hant': '{count} 個缺口從未補回' },
  'evidence.basis.noGap': { en: 'no gap seen', 'zh-Hant': '未見缺口' },
  'evidence.basis.gaps': { en: '{gaps} gap(s), {open} not recovered', 'zh-Hant': '{gaps} 個缺口，{open} 個未補回' },
  'evidence.basis.noBackupFeed': { en: 'no feed join at the backup site seen', 'zh-Hant': '未見於後備站接收數據流' },
  'evidence.basis.noEvidence': { en: 'no evidence for this identity', 'zh-Hant': '此識別碼沒有證據' },
  'evidence.basis.neverOnBackup': { en: 'never reached the backup site: {why}', 'zh-Hant': '從未連接後備站：{why}' },
  'evidence.basis.allYes': { en: 'every answer the evidence gives is yes', 'zh-Hant': '證據所示的每項答案均為「是」' },
  'evidence.basis.someNo': { en: 'the evidence answers no to: {fields}', 'zh-Hant': '證據所示答案為「否」的項目：{fields}' },
  // What the probe saw go wrong with the disaster-recovery signal or the books.
  'evidence.dr.ignored': { en: 'DR signal {status} ignored', 'zh-Hant': '忽略災難備援信號 {status}' },
  'evidence.dr.booksDiffer': { en: "books different from the venue's", 'zh-Hant': '訂單簿與交易所的不同' },
  'evidence.dr.caseFailed': { en: 'case {case} failed', 'zh-Hant': '測試項目 {case} 失敗' },
  'evidence.dr.caseFailedBecause': { en: 'case {case} failed ({reason})', 'zh-Hant': '測試項目 {case} 失敗（{reason}）' },

  // The phase of the market day the venue was in at an event (market-phase.ts).
  'evidence.marketPhase.not-open': { en: 'not yet open', 'zh-Hant': '未開市' },
  'evidence.marketPhase.pos-order-input': { en: 'pre-opening: order input', 'zh-Hant': '開市前時段：輸入買賣盤' },
  'evidence.marketPhase.pos-no-cancel': { en: 'pre-opening: no cancellation', 'zh-Hant': '開市前時段：不可取消' },
  'evidence.marketPhase.pos-random-matching': { en: 'pre-opening: random matching', 'zh-Hant': '開市前時段：隨機對盤' },
  'evidence.marketPhase.pos-matching': { en: 'pre-opening: order matching', 'zh-Hant': '開市前時段：對盤' },
  'evidence.marketPhase.pos-blocking': { en: 'pre-opening: blocking', 'zh-Hant': '開市前時段：暫停' },
  'evidence.marketPhase.continuous': { en: 'continuous trading', 'zh-Hant': '持續交易時段' },
  'evidence.marketPhase.cas-reference-price': { en: 'closing auction: reference price fixing', 'zh-Hant': '收市競價時段：參考價定價' },
  'evidence.marketPhase.cas-order-input': { en: 'closing auction: order input', 'zh-Hant': '收市競價時段：輸入買賣盤' },
  'evidence.marketPhase.cas-no-cancel': { en: 'closing auction: no cancellation', 'zh-Hant': '收市競價時段：不可取消' },
  'evidence.marketPhase.cas-random-close': { en: 'closing auction: random close', 'zh-Hant': '收市競價時段：隨機收市' },
  'evidence.marketPhase.cas-matching': { en: 'closing auction: order matching', 'zh-Hant': '收市競價時段：對盤' },
  'evidence.marketPhase.closed': { en: 'closed', 'zh-Hant': '已收市' },
  'evidence.marketPhase.day-closed': { en: 'day closed', 'zh-Hant': '全日交易結束' },
  'evidence.marketPhase.halted': { en: 'market halted', 'zh-Hant': '市場暫停交易' },
  'evidence.marketPhase.other': { en: '{phase}', 'zh-Hant': '{phase}' },
  'evidence.marketPhase.unknown': { en: 'no phase recorded yet', 'zh-Hant': '尚未有時段記錄' },

  // Contradictions: titles by code.
  'contradiction.NO_PRIMARY_LOGON': { en: 'No connection at the primary site', 'zh-Hant': '主要站沒有連接記錄' },
  'contradiction.NO_BACKUP_LOGON': { en: 'No connection at the backup site', 'zh-Hant': '後備站沒有連接記錄' },
  'contradiction.NO_BACKUP_ACK': { en: 'No acknowledgement at the backup site', 'zh-Hant': '後備站沒有確認記錄' },
  'contradiction.UNRECOVERED_GAP': { en: 'Gap never recovered', 'zh-Hant': '缺口從未補回' },
  'contradiction.DR_NOT_FOLLOWED': { en: 'Disaster-recovery signal not followed', 'zh-Hant': '未有跟隨災難備援信號' },
  'contradiction.ORDERS_RESTING': { en: 'Test orders left resting', 'zh-Hant': '測試訂單仍在掛單' },
  'contradiction.NOT_BACK_AT_PRIMARY': { en: 'Not back at the primary site', 'zh-Hant': '未有返回主要站' },
  // What the firm declared.
  'contradiction.declared.connectedToPrimary': { en: 'connected to the primary site', 'zh-Hant': '已連接主要站' },
  'contradiction.declared.connectedToPrimaryAt': { en: 'connected to the primary site at {time}', 'zh-Hant': '於 {time} 已連接主要站' },
  'contradiction.declared.reconnectedToBackup': { en: 'reconnected to the backup site', 'zh-Hant': '已重新連接後備站' },
  'contradiction.declared.reconnectedToBackupAt': { en: 'reconnected to the backup site at {time}', 'zh-Hant': '於 {time} 已重新連接後備站' },
  'contradiction.declared.orderAndCancelAcked': { en: 'test order and cancel acknowledged after the failover', 'zh-Hant': '切換後測試訂單及取消已獲確認' },
  'contradiction.declared.retransmissionOrRefreshOk': { en: 'retransmission or refresh used and successful', 'zh-Hant': '已使用重傳或刷新並且成功' },
  'contradiction.declared.marketDataFromBackup': { en: 'market data received from the backup site', 'zh-Hant': '已從後備站接收市場數據' },
  'contradiction.declared.dropCopyGapRecovered': { en: 'drop copy gap recovered', 'zh-Hant': '交易副本缺口已補回' },
  'contradiction.declared.testDataCleaned': { en: 'test data cleaned up', 'zh-Hant': '已清除測試數據' },
  'contradiction.declared.returnedToPrimary': { en: 'returned to the primary site and ready for Monday', 'zh-Hant': '已返回主要站，星期一可正常運作' },
  // What the evidence says.
  'contradiction.evidence.noPrimaryLogon': { en: 'no logon at the primary site was seen', 'zh-Hant': '未見於主要站登入' },
  'contradiction.evidence.noPrimaryConnect': { en: 'no feed join or logon at the primary site was seen', 'zh-Hant': '未見於主要站接收數據流或登入' },
  'contradiction.evidence.noBackupLogon': { en: 'no logon at the backup site was seen', 'zh-Hant': '未見於後備站登入' },
  'contradiction.evidence.noBackupConnect': { en: 'no feed join or logon at the backup site was seen', 'zh-Hant': '未見於後備站接收數據流或登入' },
  'contradiction.evidence.noBackupAck': { en: 'no acknowledgement at the backup site was seen', 'zh-Hant': '未見後備站的確認' },
  'contradiction.evidence.unrecoveredGap': {
    en: 'the probe reported {count} gap(s) never recovered, first on channel {channel} at {time}',
    'zh-Hant': '探測程式報告 {count} 個缺口從未補回，首個於 {time} 在頻道 {channel}',
  },
  'contradiction.evidence.ordersResting': {
    en: 'the venue still held {count} order(s) of this identity at the clean-up check at {time}',
    'zh-Hant': '於 {time} 清理檢查時，交易所仍持有此身份的 {count} 張訂單',
  },
  'contradiction.evidence.notBackAtPrimary': {
    en: 'the venue saw no logon at the primary site after the fail back, nor a session there at the clean-up check at {time}',
    'zh-Hant': '交易所未見回切後於主要站登入，於 {time} 清理檢查時亦無連線',
  },
  'contradiction.evidence.drNotFollowed': { en: 'the probe saw {what} at {time} ({site} site)', 'zh-Hant': '探測程式於 {time}（{site}）見到：{what}' },
};
