// A printable PDF of one subscriber's Appendix A or B.
// Labels are bilingual when a CJK font from Debian's packages is on the
// machine (fonts-noto-cjk, fonts-arphic-*); without one the PDF carries
// English labels only and says so. Fonts are never fetched from the network.
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { Contradiction } from './domain/verification.ts';
import { renderMessage } from './domain/messages/index.ts';
import { toHongKongIso } from './domain/hong-kong-time.ts';
import type { FormKind, FormVersion, IntentionForm, Notice, PracticeSession, ResultForm, ResultSection, Subscriber } from './domain/types.ts';

/** Debian's CJK fonts, best first: file and the face inside a collection (Traditional Chinese where the file has several). */
const CJK_FONTS: readonly { path: string; face?: string }[] = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKtc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', face: 'NotoSerifCJKtc-Regular' },
  { path: '/usr/share/fonts/truetype/arphic/uming.ttc', face: 'UMingHK' },
  { path: '/usr/share/fonts/truetype/arphic/ukai.ttc', face: 'UKaiHK' },
  { path: '/usr/share/fonts/truetype/arphic-bsmi00lp/bsmi00lp.ttf' },
];

export function findCjkFont(candidates: readonly { path: string; face?: string }[] = CJK_FONTS): { path: string; face?: string } | null {
  return candidates.find((c) => existsSync(c.path)) ?? null;
}

export interface FormPdfInput {
  kind: FormKind;
  session: PracticeSession;
  notice: Notice | null;
  subscriber: Subscriber;
  version: FormVersion | null;
  contradictions: Contradiction[];
  /** Override the font search (tests); null forces English-only. */
  cjkFont?: { path: string; face?: string } | null;
}

const OVERALL_ZH: Record<ResultSection['overall'], string> = { passed: '通過', 'passed-with-issues': '通過但有問題', failed: '失敗', 'not-tested': '未測試' };

const yn = (b: boolean | null | undefined, zh: boolean) => (b === null || b === undefined ? '—' : b ? (zh ? 'Yes 是' : 'Yes') : zh ? 'No 否' : 'No');

export async function renderFormPdf(input: FormPdfInput): Promise<Buffer> {
  const font = input.cjkFont === undefined ? findCjkFont() : input.cjkFont;
  const zh = font !== null;
  const { session, subscriber, version, kind } = input;
  const appendix = kind === 'intention' ? 'Appendix A: Intention form' : 'Appendix B: Result form';
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    // ASCII metadata, so the firm and the form are findable in the file itself.
    info: {
      Title: `${session.code} ${appendix} - ${subscriber.name} (${subscriber.participantCode})`,
      Author: 'failover-drill service desk',
      Subject: `${session.id} ${kind} ${subscriber.id}`,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  if (font) doc.registerFont('body', font.path, font.face);
  else doc.registerFont('body', 'Helvetica');
  // Without a CJK font, characters outside Latin-1 cannot be drawn: show them as '?'.
  const safe = (s: string) => (zh ? s : s.replace(/[^\u0000-\u00ff\u2014\u2013]/g, '?'));
  const label = (en: string, zhText: string) => (zh ? `${en} ${zhText}` : en);
  doc.font('body');

  const line = (en: string, zhText: string, value: string) => {
    doc.fontSize(9).fillColor('#444').text(label(en, zhText), { continued: false });
    doc
      .fontSize(11)
      .fillColor('#000')
      .text(safe(value || '—'), { indent: 12 });
    doc.moveDown(0.2);
  };
  const heading = (en: string, zhText: string) => {
    doc.moveDown(0.4).fontSize(13).fillColor('#000').text(label(en, zhText)).moveDown(0.2);
  };

  if (input.notice) {
    doc
      .fontSize(9)
      .fillColor('#444')
      .text(safe(input.notice.references.join(', ')));
    doc.fontSize(11).fillColor('#000').text(safe(input.notice.titleEn));
    if (zh) doc.text(input.notice.titleZh);
    doc
      .fontSize(9)
      .fillColor('#444')
      .text(safe(`${input.notice.issuer.name} · ${input.notice.issuer.hotline} · ${input.notice.issuer.email}`));
  }
  doc
    .moveDown(0.5)
    .fontSize(16)
    .fillColor('#000')
    .text(label(appendix, kind === 'intention' ? '附錄甲：參與意向表格' : '附錄乙：結果表格'));
  doc.fontSize(11).text(safe(`${session.code} · ${session.date} (${label('Hong Kong time', '香港時間')})`));
  doc.moveDown(0.3);
  line('Subscriber', '用戶', `${subscriber.name} (${subscriber.participantCode})`);
  if (!zh)
    doc
      .fontSize(8)
      .fillColor('#a00')
      .text('Note: no CJK font is installed on this server (Debian fonts-noto-cjk or fonts-arphic-uming), so Chinese labels are omitted.')
      .fillColor('#000');

  if (!version) {
    doc.moveDown().fontSize(12).text(label('No version of this form has been submitted.', '尚未提交此表格。'));
    doc.end();
    return done;
  }
  const deadline = kind === 'intention' ? session.intentionDeadline : session.resultDeadline;
  line('Version', '版本', `${version.version}${version.late ? ' — LATE' + (zh ? ' 逾期' : '') : ''}`);
  line('Submitted at', '提交時間', toHongKongIso(Date.parse(version.submittedAt)).slice(0, 16).replace('T', ' ') + ' HKT');
  line('Deadline', '截止時間', deadline.slice(0, 16).replace('T', ' ') + ' HKT');

  if (kind === 'intention') {
    const f = version.content as IntentionForm;
    heading('Participation', '參與');
    line('Will participate', '是否參與', yn(f.participate, zh));
    for (const s of f.services) line(`Service ${s.service}: identities`, `服務 ${s.service}：識別碼`, s.identities.join(', '));
    line('Connect from primary premises', '由主要場地連接', yn(f.connectFrom.primary, zh));
    line('Connect from backup premises', '由後備場地連接', yn(f.connectFrom.backup, zh));
    for (const s of f.software) line(`Software for ${s.service}`, `${s.service} 軟件`, `${s.name} ${s.version} (${s.kind})`);
    heading('Contacts on the day', '當日聯絡人');
    line('Contact', '聯絡人', `${f.contactOnDay.name}, ${f.contactOnDay.mobile}, ${f.contactOnDay.email}`);
    line('Alternate contact', '後備聯絡人', `${f.alternateContact.name}, ${f.alternateContact.mobile}, ${f.alternateContact.email}`);
    heading('Confirmations', '確認');
    line('Will join the session', '將參與演習', yn(f.willJoin, zh));
    line('Will check the other HSN connections', '將檢查其他 HSN 連接', yn(f.willCheckOtherHsn, zh));
    line('Has read the rundown', '已閱讀流程', yn(f.hasReadRundown, zh));
    heading('Signature', '簽署');
    line('Authorised signatory', '獲授權簽署人', `${f.signatory.name}, ${f.signatory.title}`);
    line('Date', '日期', f.signedOn);
  } else {
    const f = version.content as ResultForm;
    f.sections.forEach((s: ResultSection, i) => {
      const flagged = input.contradictions.filter((c) => c.field.startsWith(`sections[${i}].`));
      heading(`${s.service} · ${s.identity}`, '');
      const t = (v: { value: boolean; time: string | null }) => `${yn(v.value, zh)}${v.time ? ' ' + v.time : ''}`;
      line('Connected to the primary site', '已連接主要站', t(s.connectedToPrimary));
      line('Noticed the loss of the primary', '察覺主要站中斷', s.noticedLossAt ?? '—');
      line('Reconnected to the backup site', '已重新連接後備站', t(s.reconnectedToBackup));
      if (s.logonSequenceOk !== null) line('Logon accepted with correct sequence handling', '登入獲接納及序號處理正確', yn(s.logonSequenceOk, zh));
      if (s.orderAndCancelAcked !== null) line('Test order and cancel acknowledged', '測試訂單及取消已確認', yn(s.orderAndCancelAcked, zh));
      if (s.dropCopyGapRecovered !== null) line('Drop copy gap recovered', '交易副本缺口已補回', yn(s.dropCopyGapRecovered, zh));
      if (s.marketDataFromBackup !== null) line('Market data received from the backup site', '已從後備站接收市場數據', yn(s.marketDataFromBackup, zh));
      if (s.retransmissionOrRefreshOk !== null) line('Retransmission or refresh successful', '重傳或刷新成功', yn(s.retransmissionOrRefreshOk, zh));
      for (const p of s.problems) line('Problem', '問題', `${p.time} ${p.description}${p.reference ? ` [${p.reference}]` : ''}`);
      line('Overall result', '整體結果', zh ? `${s.overall} ${OVERALL_ZH[s.overall]}` : s.overall);
      line('Returned to primary, ready for Monday', '已返回主要站，星期一可用', yn(s.returnedToPrimary, zh));
      line('Test data cleaned up', '測試數據已清除', yn(s.testDataCleaned, zh));
      for (const c of flagged) {
        // Who vouches for the evidence side: the venue's record, or the firm's own probe (self-reported).
        const by = c.provenance === 'venue' ? label('venue', '交易所記錄') : label('self-reported', '自行申報');
        doc
          .fontSize(9)
          .fillColor('#b00')
          .text(
            safe(`${label('Contradicted by evidence', '與證據矛盾')} (${by}): ${renderMessage(c.declaredMessage, 'en')} — ${renderMessage(c.message, 'en')}`),
          );
        if (zh) doc.text(`${renderMessage(c.declaredMessage, 'zh-Hant')} — ${renderMessage(c.message, 'zh-Hant')}`);
        doc.fillColor('#000');
      }
    });
    heading('Signature', '簽署');
    line('Authorised signatory', '獲授權簽署人', `${f.signatory.name}, ${f.signatory.title}`);
    line('Date', '日期', f.signedOn);
  }
  doc.end();
  return done;
}
