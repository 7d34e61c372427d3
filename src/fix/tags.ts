// The FIX tags, MsgTypes and code values the OCG-C FIX gateway uses (FIXT.1.1 session, FIX 5.0 SP2
// application). Numbers are FIX's own; OCG-C's use of them is marked where inferred.

export const Tag = {
  Account: 1, AvgPx: 6, BeginSeqNo: 7, BeginString: 8, BodyLength: 9, CheckSum: 10, ClOrdID: 11, CumQty: 14,
  EndSeqNo: 16, ExecID: 17, ExecInst: 18, SecurityIDSource: 22, LastPx: 31, LastQty: 32, MsgSeqNum: 34, MsgType: 35,
  NewSeqNo: 36, OrderID: 37, OrderQty: 38, OrdStatus: 39, OrdType: 40, OrigClOrdID: 41, PossDupFlag: 43, Price: 44,
  RefSeqNum: 45, SecurityID: 48, SenderCompID: 49, SendingTime: 52, Side: 54, Text: 58, TimeInForce: 59,
  TransactTime: 60, TargetCompID: 56, PositionEffect: 77, PossResend: 97, EncryptMethod: 98, OrdRejReason: 103,
  CxlRejReason: 102, ContraBroker: 375, NoContraBrokers: 382, HeartBtInt: 108, TestReqID: 112, OrigSendingTime: 122, GapFillFlag: 123, ExecType: 150,
  LeavesQty: 151, SecurityExchange: 207, RefTagID: 371, RefMsgType: 372, SessionRejectReason: 373,
  BusinessRejectRefID: 379, BusinessRejectReason: 380, ExecRestatementReason: 378, CxlRejResponseTo: 434,
  PartyIDSource: 447, PartyID: 448, PartyRole: 452, NoPartyIDs: 453, OrderCapacity: 528, OrderRestrictions: 529,
  MassCancelRequestType: 530, MassCancelResponse: 531, MassCancelRejectReason: 532, TotalAffectedOrders: 533,
  NextExpectedMsgSeqNum: 789, TrdMatchID: 880, Username: 553, Password: 554, NewPassword: 925,
  AggressorIndicator: 1057, LotType: 1093, DefaultApplVerID: 1137, MarketSegmentID: 1300, MassActionReportID: 1369,
  EncryptedPasswordMethod: 1400, EncryptedPasswordLen: 1401, EncryptedPassword: 1402, EncryptedNewPasswordLen: 1403,
  EncryptedNewPassword: 1404, SessionStatus: 1409,
  NoDisclosureInstructions: 1812, DisclosureType: 1813, DisclosureInstruction: 1814,
  NoValueChecks: 1868, ValueCheckType: 1869, ValueCheckAction: 1870,
} as const;

export const FixMsgType = {
  Heartbeat: '0', TestRequest: '1', ResendRequest: '2', Reject: '3', SequenceReset: '4', Logout: '5', Logon: 'A',
  ExecutionReport: '8', OrderCancelReject: '9', NewOrderSingle: 'D', OrderCancelRequest: 'F',
  OrderCancelReplaceRequest: 'G', OrderStatusRequest: 'H', BusinessMessageReject: 'j', OrderMassCancelRequest: 'q',
  OrderMassCancelReport: 'r', Quote: 'S', QuoteCancel: 'Z', TradeCaptureReport: 'AE', UserRequest: 'BE', UserResponse: 'BF',
  PartyEntitlementsRequest: 'CU', PartyEntitlementsReport: 'CV', OrderMassStatusRequest: 'AF',
} as const;

/** Session-level MsgTypes (never replayed: gap-filled). */
export const SESSION_MSG_TYPES: ReadonlySet<string> = new Set(['0', '1', '2', '3', '4', '5', 'A']);

/** SessionRejectReason(373). */
export const SessionRejectReason = {
  InvalidTagNumber: 0, RequiredTagMissing: 1, TagNotDefinedForMsgType: 2, UndefinedTag: 3, TagWithoutValue: 4,
  ValueIncorrect: 5, IncorrectDataFormat: 6, CompIdProblem: 9, SendingTimeAccuracy: 10, InvalidMsgType: 11,
  TagAppearsMoreThanOnce: 13, RepeatingGroupOutOfOrder: 15, IncorrectNumInGroup: 16, Other: 99,
} as const;

/** SessionStatus(1409): FIX's values; 0–8 and 100/101 as the binary protocol's (spec note §3.11). */
export const FixSessionStatus = {
  SessionActive: 0, SessionPasswordChanged: 1, PasswordDueToExpire: 2, NewPasswordDoesNotComply: 3,
  SessionLogoutComplete: 4, InvalidUsernameOrPassword: 5, AccountLocked: 6, LogonsNotAllowed: 7, PasswordExpired: 8,
  MsgSeqNumTooLow: 9, NextExpectedTooHigh: 10, PasswordChangeRequired: 100, Other: 101,
} as const;

/** BusinessRejectReason(380): FIX's values, the same numbers as the binary Business Reject Code. */
export const FixBusinessRejectReason = {
  Other: 0, UnknownId: 1, UnknownSecurity: 2, UnsupportedMessageType: 3, ApplicationNotAvailable: 4,
  ConditionallyRequiredFieldMissing: 5, NotAuthorized: 6, ThrottleLimitExceeded: 8,
} as const;
