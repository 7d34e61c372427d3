// Per-venue profile: one codec, two services (OTP-C and OTP-CSC, spec note §5.14 "advice").
// The China Connect (CCCG) message chapters could not be read: every CSC difference below is
// [UNVERIFIED] and listed in docs/spec-decisions.md. Keep the CSC profile a stub until real tables arrive.
import { OcgMsgType } from './messages.ts';

export type OcgService = 'OTP-C' | 'OTP-CSC';

export interface OcgProfile {
  service: OcgService;
  /** v3.2 Self-Match Prevention fields (New Order bit 23, Execution Report bit 43) [SEC, §5.13]. */
  smp: boolean;
  /** Message types this venue speaks; the decoder reports others as messageTypeNotAllowed (Reject 11). */
  allowedMsgTypes: ReadonlySet<number>;
  /** Values the gateway accepts (validation is the gateway's job, not the codec's). */
  orderTypes: readonly number[];
  timeInForce: readonly number[];
  sides: readonly number[];
  securityExchanges: readonly string[];
  /** OCG-C §5.1 forbids leading zeros; mainland codes (SZSE 000001) start with 0 [UNVERIFIED wire rule]. */
  securityIdLeadingZeros: boolean;
  amendAllowed: boolean;
  /** Odd lots on the buy side (CSC: sell only, traded in the normal book) [UNVERIFIED]. */
  oddLotBuyAllowed: boolean;
  /** Mainland no-cancel windows, local time HH:MM-HH:MM (CSC: 09:20–09:25, 14:57–15:00) [UNVERIFIED wire code]. */
  noCancelWindows: readonly (readonly [string, string])[];
}

const ALL_TYPES: readonly number[] = Object.values(OcgMsgType);

export const OTP_C_PROFILE: OcgProfile = {
  service: 'OTP-C',
  smp: false,
  allowedMsgTypes: new Set(ALL_TYPES),
  orderTypes: [1, 2],
  timeInForce: [0, 3, 4, 9],
  sides: [1, 2, 5],
  securityExchanges: ['XHKG'],
  securityIdLeadingZeros: false,
  amendAllowed: true,
  oddLotBuyAllowed: true,
  noCancelWindows: [],
};

// China Connect Northbound (§5.14): same wire and session layer [INF, high confidence];
// business differences from public Stock Connect rules, wire encoding [UNVERIFIED]:
// - no Amend Request (12), no quotes (16/17/18), no trade reporting (21/22) — assumed absent;
// - limit orders only, Day only; Side 5 (covered short selling) may exist [UNVERIFIED];
// - Security Exchange XSSC/XSEC instead of XHKG [UNVERIFIED];
// - daily quota rejections: codes unknown [UNVERIFIED]; investor-ID field layout unknown [UNVERIFIED].
const CSC_ABSENT = new Set<number>([
  OcgMsgType.AmendRequest,
  OcgMsgType.Quote,
  OcgMsgType.QuoteCancel,
  OcgMsgType.QuoteStatusReport,
  OcgMsgType.TradeCaptureReport,
  OcgMsgType.TradeCaptureReportAck,
]);

export const OTP_CSC_PROFILE: OcgProfile = {
  service: 'OTP-CSC',
  smp: false,
  allowedMsgTypes: new Set(ALL_TYPES.filter((t) => !CSC_ABSENT.has(t))),
  orderTypes: [2],
  timeInForce: [0],
  sides: [1, 2, 5],
  securityExchanges: ['XSSC', 'XSEC'],
  securityIdLeadingZeros: true,
  amendAllowed: false,
  oddLotBuyAllowed: false,
  noCancelWindows: [
    ['09:20', '09:25'],
    ['14:57', '15:00'],
  ],
};

export function profileFor(service: OcgService): OcgProfile {
  return service === 'OTP-CSC' ? OTP_CSC_PROFILE : OTP_C_PROFILE;
}
