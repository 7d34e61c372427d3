#!/usr/bin/env python3
# Derives the OMD-C / OMD-CC message vectors in messages.vectors.ts from a field-by-field
# transcription of the layout tables of the OMD-C implementation note (§4, §5, §8.1), using Python's
# struct module — independent of the TypeScript codec under test. Each field's offset is
# asserted against the running position, and each message's total against the spec's size.
# The expected decoded objects are written out separately by hand below, not derived from
# the bytes. Run: python3 test/vectors/omd/derive.py > test/vectors/omd/messages.vectors.ts
import json
import re
import struct


class Big(int):
    """A value the TypeScript side holds as bigint."""


NULL64 = Big(-(2 ** 63))
SEND_0130Z = 1767922200000000000  # 2026-01-09T01:30:00Z (spec §9)


def field_bytes(typ, value):
    m = re.fullmatch(r'(char|nul|utf16|fill)_?(\d+)', typ)
    if m:
        kind, n = m.group(1), int(m.group(2))
        if kind == 'fill':
            return b'\x00' * n
        if kind == 'char':  # ASCII, space padded (spec §1)
            b = value.encode('ascii')
            assert len(b) <= n
            return b + b' ' * (n - len(b))
        if kind == 'nul':  # ASCII, NUL padded (RTS Username, OMD-C 3.5.1)
            b = value.encode('ascii')
            return b + b'\x00' * (n - len(b))
        b = value.encode('utf-16-le')  # UTF-16LE, NUL padded (ours, spec §12 U9)
        assert len(b) <= n
        return b + b'\x00' * (n - len(b))
    fmt = {'u8': '<B', 'u16': '<H', 'u32': '<I', 'u64': '<Q', 'i16': '<h', 'i32': '<i', 'i64': '<q'}[typ]
    return struct.pack(fmt, value)


def js(v, indent=4):
    pad = ' ' * indent
    if isinstance(v, Big):
        return f'{int(v)}n'
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        if not v:
            return '[]'
        if all(not isinstance(x, (dict, list)) for x in v):
            return '[' + ', '.join(js(x) for x in v) + ']'
        return '[\n' + ''.join(f'{pad}  {js(x, indent + 2)},\n' for x in v) + pad + ']'
    if isinstance(v, dict):
        return '{ ' + ', '.join(f'{k}: {js(x, indent + 2)}' for k, x in v.items()) + ' }' if len(v) <= 3 and all(
            not isinstance(x, (dict, list)) for x in v.values()) else '{\n' + ''.join(
            f'{pad}  {k}: {js(x, indent + 2)},\n' for k, x in v.items()) + pad + '}'
    raise TypeError(v)


VECTORS = []


def V(name, msg_type, size, fields, expected, note=None):
    """fields: (offset, type, value, spec field name); offsets include the 4-byte header."""
    rows = [(0, 'u16', size, 'MsgSize'), (2, 'u16', msg_type, 'MsgType')] + fields
    pos = 0
    out = []
    for off, typ, value, label in rows:
        assert off == pos, f'{name}: {label} at {off}, expected {pos}'
        b = field_bytes(typ, value)
        pos += len(b)
        shown = '' if typ.startswith('fill') else f' = {value!r}' if not isinstance(value, Big) else f' = {int(value)}'
        out.append((b.hex(' '), f'{off} {label} {typ}{shown}'))
    assert pos == size, f'{name}: layout is {pos} bytes, spec says {size}'
    assert expected['msgType'] == msg_type
    VECTORS.append((name, msg_type, note, out, expected))


# ---------------------------------------------------------------- control (spec §4)
V('SequenceReset (100)', 100, 8, [(4, 'u32', 1, 'NewSeqNo')], {'msgType': 100, 'newSeqNo': 1})
V('SequenceReset (100) NewSeqNo other than 1', 100, 8, [(4, 'u32', 5001, 'NewSeqNo')], {'msgType': 100, 'newSeqNo': 5001},
  'the spec says NewSeqNo is always 1; the codec passes any value through, the handler decides (spec §12 U2)')
V('Logon (101)', 101, 16, [(4, 'nul12', 'TESTUSER01', 'Username')], {'msgType': 101, 'username': 'TESTUSER01'},
  'Username NUL-padded (OMD-C 3.5.1)')
V('LogonResponse (102) active', 102, 8, [(4, 'u8', 0, 'SessionStatus'), (5, 'fill3', None, 'Filler')],
  {'msgType': 102, 'sessionStatus': 0})
V('LogonResponse (102) already connected', 102, 8, [(4, 'u8', 100, 'SessionStatus'), (5, 'fill3', None, 'Filler')],
  {'msgType': 102, 'sessionStatus': 100})
V('DisasterRecoverySignal (105) completed', 105, 8, [(4, 'u32', 2, 'DRStatus')], {'msgType': 105, 'drStatus': 2})
V('RetransmissionRequest (201)', 201, 16,
  [(4, 'u16', 21, 'ChannelID'), (6, 'fill2', None, 'Filler'), (8, 'u32', 1001, 'BeginSeqNum'),
   (12, 'u32', 1100, 'EndSeqNum')],
  {'msgType': 201, 'channelId': 21, 'beginSeqNum': 1001, 'endSeqNum': 1100})
V('RetransmissionResponse (202) range too large', 202, 16,
  [(4, 'u16', 21, 'ChannelID'), (6, 'u8', 100, 'RetransStatus'), (7, 'fill1', None, 'Filler'),
   (8, 'u32', 1, 'BeginSeqNum'), (12, 'u32', 20000, 'EndSeqNum')],
  {'msgType': 202, 'channelId': 21, 'retransStatus': 100, 'beginSeqNum': 1, 'endSeqNum': 20000},
  'a rejected response echoes the range (assumed, spec §12 U8)')
V('RefreshComplete (203)', 203, 8, [(4, 'u32', 1234, 'LastSeqNum')], {'msgType': 203, 'lastSeqNum': 1234})

# ---------------------------------------------------------------- reference data (spec §5.1)
V('MarketDefinition (10)', 10, 40,
  [(4, 'char4', 'GEM', 'MarketCode'), (8, 'char25', 'Growth Enterprise Market', 'MarketName'),
   (33, 'char3', 'HKD', 'CurrencyCode'), (36, 'u32', 350, 'NumberOfSecurities')],
  {'msgType': 10, 'marketCode': 'GEM', 'marketName': 'Growth Enterprise Market', 'currencyCode': 'HKD',
   'numberOfSecurities': 350})


def secdef(sc, isin, instr, ptype, spread, short, gccs, gb, lot, prev, flags, listing, delisting, free,
           pos, bond, warrant, underlyings):
    vcm, ss, cas, ccass, dummy, stamp = flags
    posflag, posup, poslow, domain = pos
    efn, accrued, coupon, face, facedec, faceccy, bondmat, investor = bond
    conv, k1, k2, wmat, cp, style, wtype, callp, callpdec, ent, entdec, nwpe = warrant
    fields = [
        (4, 'u32', sc, 'SecurityCode'), (8, 'char4', 'MAIN', 'MarketCode'), (12, 'char12', isin, 'ISINCode'),
        (24, 'char4', instr, 'InstrumentType'), (28, 'u8', ptype, 'ProductType'), (29, 'fill1', None, 'Filler'),
        (30, 'char2', spread, 'SpreadTableCode'), (32, 'char40', short, 'SecurityShortName'),
        (72, 'char3', 'HKD', 'CurrencyCode'), (75, 'utf16_60', gccs, 'SecurityNameGCCS'),
        (135, 'utf16_60', gb, 'SecurityNameGB'), (195, 'u32', lot, 'LotSize'), (199, 'fill4', None, 'Filler'),
        (203, 'i32', prev, 'PreviousClosingPrice'), (207, 'char1', vcm, 'VCMFlag'),
        (208, 'char1', ss, 'ShortSellFlag'), (209, 'char1', cas, 'CASFlag'), (210, 'char1', ccass, 'CCASSFlag'),
        (211, 'char1', dummy, 'DummySecurityFlag'), (212, 'fill1', None, 'Filler'),
        (213, 'char1', stamp, 'StampDutyFlag'), (214, 'fill1', None, 'Filler'), (215, 'u32', listing, 'ListingDate'),
        (219, 'u32', delisting, 'DelistingDate'), (223, 'char38', free, 'FreeText'), (261, 'fill62', None, 'Filler'),
        (323, 'char1', posflag, 'POSFlag'), (324, 'i32', posup, 'POSUpperLimit'),
        (328, 'i32', poslow, 'POSLowerLimit'), (332, 'u32', domain, 'DomainStmtSecurityCode'),
        (336, 'fill37', None, 'Filler'), (373, 'char1', efn, 'EFNFlag'), (374, 'u32', accrued, 'AccruedInterest'),
        (378, 'u32', coupon, 'CouponRate'), (382, 'fill1', None, 'Filler'), (383, 'u64', Big(face), 'FaceValue'),
        (391, 'u8', facedec, 'DecimalsInFaceValue'), (392, 'char3', faceccy, 'FaceValueCurrency'),
        (395, 'u32', bondmat, 'MaturityDate (bond)'), (399, 'char1', investor, 'InvestorType'),
        (400, 'fill44', None, 'Filler'), (444, 'u32', conv, 'ConversionRatio'), (448, 'i32', k1, 'StrikePrice1'),
        (452, 'i32', k2, 'StrikePrice2'), (456, 'u32', wmat, 'MaturityDate (warrant)'),
        (460, 'char1', cp, 'CallPutFlag'), (461, 'char1', style, 'Style'), (462, 'fill2', None, 'Filler'),
        (464, 'char1', wtype, 'WarrantType'), (465, 'i32', callp, 'CallPrice'),
        (469, 'u8', callpdec, 'DecimalsInCallPrice'), (470, 'i32', ent, 'Entitlement'),
        (474, 'u8', entdec, 'DecimalsInEntitlement'), (475, 'u32', nwpe, 'NoWarrantsPerEntitlement'),
        (479, 'fill63', None, 'Filler'), (542, 'u16', len(underlyings), 'NoUnderlyingSecurities'),
    ]
    for i, u in enumerate(underlyings):
        fields.append((544 + 8 * i, 'u32', u, f'UnderlyingSecurityCode[{i}]'))
        fields.append((548 + 8 * i, 'fill4', None, 'Filler (was UnderlyingSecurityWeight)'))
    return fields


def utf16_fix(fields):
    return fields


V('SecurityDefinition (11) equity, no underlying', 11, 544, utf16_fix(secdef(
    700, 'KYG875721634', 'EQTY', 1, '01', 'TENCENT', '騰訊控股', '腾讯控股', 100, 385200,
    ('Y', 'Y', 'Y', 'Y', 'N', 'Y'), 20040616, 0, '', ('Y', 404000, 366400, 0),
    (' ', 0, 0, 0, 0, '', 0, ' '), (0, 0, 0, 0, ' ', ' ', '0', 0, 0, 0, 0, 0), [])),
  {'msgType': 11, 'securityCode': 700, 'marketCode': 'MAIN', 'isinCode': 'KYG875721634', 'instrumentType': 'EQTY',
   'productType': 1, 'spreadTableCode': '01', 'securityShortName': 'TENCENT', 'currencyCode': 'HKD',
   'securityNameGCCS': '騰訊控股', 'securityNameGB': '腾讯控股', 'lotSize': 100, 'previousClosingPrice': 385200,
   'vcmFlag': 'Y', 'shortSellFlag': 'Y', 'casFlag': 'Y', 'ccassFlag': 'Y', 'dummySecurityFlag': 'N',
   'stampDutyFlag': 'Y', 'listingDate': 20040616, 'delistingDate': 0, 'freeText': '', 'posFlag': 'Y',
   'posUpperLimit': 404000, 'posLowerLimit': 366400, 'domainStmtSecurityCode': 0, 'efnFlag': '',
   'accruedInterest': 0, 'couponRate': 0, 'faceValue': Big(0), 'decimalsInFaceValue': 0, 'faceValueCurrency': '',
   'bondMaturityDate': 0, 'investorType': '', 'conversionRatio': 0, 'strikePrice1': 0, 'strikePrice2': 0,
   'warrantMaturityDate': 0, 'callPutFlag': '', 'style': '', 'warrantType': '0', 'callPrice': 0,
   'decimalsInCallPrice': 0, 'entitlement': 0, 'decimalsInEntitlement': 0, 'noWarrantsPerEntitlement': 0,
   'underlyingSecurityCodes': []},
  'blank one-character codes (EFN, InvestorType, CallPut, Style) are spaces on the wire and decode as ""; '
  'Chinese names UTF-16LE NUL-padded (assumed, spec §12 U9)')
V('SecurityDefinition (11) CBBC with one underlying', 11, 552, utf16_fix(secdef(
    61234, 'HK0000999999', 'WRNT', 11, '01', 'TC#TENCTRP2612A', '', '', 10000, 325,
    ('N', 'N', 'N', 'Y', 'N', 'N'), 20250702, 20261230, 'FREE TEXT 38 CHARS MAX', ('N', 0, 0, 0),
    (' ', 0, 0, 0, 0, '', 0, ' '), (100000, 300000, 0, 20261230, 'C', 'E', 'N', 310000, 3, 1, 0, 10000), [700])),
  {'msgType': 11, 'securityCode': 61234, 'marketCode': 'MAIN', 'isinCode': 'HK0000999999', 'instrumentType': 'WRNT',
   'productType': 11, 'spreadTableCode': '01', 'securityShortName': 'TC#TENCTRP2612A', 'currencyCode': 'HKD',
   'securityNameGCCS': '', 'securityNameGB': '', 'lotSize': 10000, 'previousClosingPrice': 325,
   'vcmFlag': 'N', 'shortSellFlag': 'N', 'casFlag': 'N', 'ccassFlag': 'Y', 'dummySecurityFlag': 'N',
   'stampDutyFlag': 'N', 'listingDate': 20250702, 'delistingDate': 20261230, 'freeText': 'FREE TEXT 38 CHARS MAX',
   'posFlag': 'N', 'posUpperLimit': 0, 'posLowerLimit': 0, 'domainStmtSecurityCode': 0, 'efnFlag': '',
   'accruedInterest': 0, 'couponRate': 0, 'faceValue': Big(0), 'decimalsInFaceValue': 0, 'faceValueCurrency': '',
   'bondMaturityDate': 0, 'investorType': '', 'conversionRatio': 100000, 'strikePrice1': 300000, 'strikePrice2': 0,
   'warrantMaturityDate': 20261230, 'callPutFlag': 'C', 'style': 'E', 'warrantType': 'N', 'callPrice': 310000,
   'decimalsInCallPrice': 3, 'entitlement': 1, 'decimalsInEntitlement': 0, 'noWarrantsPerEntitlement': 10000,
   'underlyingSecurityCodes': [700]})
V('SecurityDefinition (11) bond', 11, 544, utf16_fix(secdef(
    4242, 'HK0000123456', 'BOND', 4, '03', 'HKGB 3.5 2030', '', '', 50, 101250,
    ('N', 'N', 'N', 'Y', 'N', 'N'), 20200115, 0, '', ('N', 0, 0, 0),
    ('Y', 1234, 3500, 100000, 2, 'HKD', 20300115, 'R'), (0, 0, 0, 0, ' ', ' ', '0', 0, 0, 0, 0, 0), [])),
  {'msgType': 11, 'securityCode': 4242, 'marketCode': 'MAIN', 'isinCode': 'HK0000123456', 'instrumentType': 'BOND',
   'productType': 4, 'spreadTableCode': '03', 'securityShortName': 'HKGB 3.5 2030', 'currencyCode': 'HKD',
   'securityNameGCCS': '', 'securityNameGB': '', 'lotSize': 50, 'previousClosingPrice': 101250,
   'vcmFlag': 'N', 'shortSellFlag': 'N', 'casFlag': 'N', 'ccassFlag': 'Y', 'dummySecurityFlag': 'N',
   'stampDutyFlag': 'N', 'listingDate': 20200115, 'delistingDate': 0, 'freeText': '', 'posFlag': 'N',
   'posUpperLimit': 0, 'posLowerLimit': 0, 'domainStmtSecurityCode': 0, 'efnFlag': 'Y',
   'accruedInterest': 1234, 'couponRate': 3500, 'faceValue': Big(100000), 'decimalsInFaceValue': 2,
   'faceValueCurrency': 'HKD', 'bondMaturityDate': 20300115, 'investorType': 'R', 'conversionRatio': 0,
   'strikePrice1': 0, 'strikePrice2': 0, 'warrantMaturityDate': 0, 'callPutFlag': '', 'style': '',
   'warrantType': '0', 'callPrice': 0, 'decimalsInCallPrice': 0, 'entitlement': 0, 'decimalsInEntitlement': 0,
   'noWarrantsPerEntitlement': 0, 'underlyingSecurityCodes': []})
V('LiquidityProvider (13) three LPs, 16 bytes (not a multiple of 4, no padding)', 13, 16,
  [(4, 'u32', 12345, 'SecurityCode'), (8, 'u16', 3, 'NoLiquidityProviders'), (10, 'u16', 2, 'LPBrokerNumber[0]'),
   (12, 'u16', 9432, 'LPBrokerNumber[1]'), (14, 'u16', 6999, 'LPBrokerNumber[2]')],
  {'msgType': 13, 'securityCode': 12345, 'brokerNumbers': [2, 9432, 6999]})
V('CurrencyRate (14) EUR', 14, 16,
  [(4, 'char3', 'EUR', 'CurrencyCode'), (7, 'fill1', None, 'Filler'), (8, 'u16', 0, 'CurrencyFactor'),
   (10, 'fill2', None, 'Filler'), (12, 'u32', 102200, 'CurrencyRate')],
  {'msgType': 14, 'currencyCode': 'EUR', 'currencyFactor': 0, 'currencyRate': 102200})
V('CurrencyRate (14) 1000 JPY', 14, 16,
  [(4, 'char3', 'JPY', 'CurrencyCode'), (7, 'fill1', None, 'Filler'), (8, 'u16', 3, 'CurrencyFactor'),
   (10, 'fill2', None, 'Filler'), (12, 'u32', 906780, 'CurrencyRate')],
  {'msgType': 14, 'currencyCode': 'JPY', 'currencyFactor': 3, 'currencyRate': 906780})

# ---------------------------------------------------------------- status (spec §5.2, 23 from §5.4)
V('TradingSessionStatus (20) continuous trading', 20, 32,
  [(4, 'char4', 'MAIN', 'MarketCode'), (8, 'fill1', None, 'Filler (was TradingSessionID)'),
   (9, 'u8', 3, 'TradingSessionSubID'), (10, 'u8', 30, 'TradingSesStatus'),
   (11, 'char1', '0', 'TradingSesControlFlag'), (12, 'fill4', None, 'Filler'),
   (16, 'u64', Big(1767922200000000000), 'StartDateTime'), (24, 'u64', Big(1767931200000000000), 'EndDateTime')],
  {'msgType': 20, 'marketCode': 'MAIN', 'tradingSessionSubId': 3, 'tradingSesStatus': 30,
   'tradingSesControlFlag': '0', 'startDateTime': Big(1767922200000000000), 'endDateTime': Big(1767931200000000000)})
V('SecurityStatus (21) halt', 21, 12,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u8', 2, 'SuspensionIndicator'), (9, 'fill3', None, 'Filler')],
  {'msgType': 21, 'securityCode': 700, 'suspensionIndicator': 2})
V('VcmTrigger (23)', 23, 36,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u64', Big(1767925800000000000), 'CoolingOffStartTime'),
   (16, 'u64', Big(1767926100000000000), 'CoolingOffEndTime'), (24, 'i32', 385200, 'VCMReferencePrice'),
   (28, 'i32', 346680, 'VCMLowerPrice'), (32, 'i32', 423720, 'VCMUpperPrice')],
  {'msgType': 23, 'securityCode': 700, 'coolingOffStartTime': Big(1767925800000000000),
   'coolingOffEndTime': Big(1767926100000000000), 'vcmReferencePrice': 385200, 'vcmLowerPrice': 346680,
   'vcmUpperPrice': 423720})

# ---------------------------------------------------------------- order book (spec §5.3)
V('AddOrder (30) offer', 30, 32,
  [(4, 'u32', 5, 'SecurityCode'), (8, 'u64', Big(0x0123456789ABCDEF), 'OrderId'), (16, 'i32', 61550, 'Price'),
   (20, 'u32', 8000, 'Quantity'), (24, 'u16', 1, 'Side'), (26, 'char1', '2', 'OrderType'),
   (27, 'fill1', None, 'Filler'), (28, 'i32', 0, 'OrderBookPosition')],
  {'msgType': 30, 'securityCode': 5, 'orderId': Big(0x0123456789ABCDEF), 'price': 61550, 'quantity': 8000,
   'side': 1, 'orderType': '2', 'orderBookPosition': 0})
V('ModifyOrder (31)', 31, 28,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u64', Big(123456789012), 'OrderId'), (16, 'u32', 600, 'Quantity'),
   (20, 'u16', 0, 'Side'), (22, 'fill2', None, 'Filler'), (24, 'i32', 0, 'OrderBookPosition')],
  {'msgType': 31, 'securityCode': 700, 'orderId': Big(123456789012), 'quantity': 600, 'side': 0,
   'orderBookPosition': 0})
V('DeleteOrder (32)', 32, 20,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u64', Big(123456789012), 'OrderId'), (16, 'u16', 1, 'Side'),
   (18, 'fill2', None, 'Filler')],
  {'msgType': 32, 'securityCode': 700, 'orderId': Big(123456789012), 'side': 1})
V('AddOddLotOrder (33)', 33, 28,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u64', Big(987654321), 'OrderId'), (16, 'i32', 385000, 'Price'),
   (20, 'u32', 40, 'Quantity'), (24, 'u16', 1234, 'BrokerID'), (26, 'u16', 1, 'Side')],
  {'msgType': 33, 'securityCode': 700, 'orderId': Big(987654321), 'price': 385000, 'quantity': 40,
   'brokerId': 1234, 'side': 1})
V('DeleteOddLotOrder (34)', 34, 20,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u64', Big(987654321), 'OrderId'), (16, 'u16', 1234, 'BrokerID'),
   (18, 'u16', 1, 'Side')],
  {'msgType': 34, 'securityCode': 700, 'orderId': Big(987654321), 'brokerId': 1234, 'side': 1})
V('AggregateOrderBookUpdate (53) New offer L1 then Orderbook Clear', 53, 60,
  [(4, 'u32', 9988, 'SecurityCode'), (8, 'fill3', None, 'Filler'), (11, 'u8', 2, 'NoEntries'),
   (12, 'u64', Big(1500), 'AggregateQuantity[0]'), (20, 'i32', 9750, 'Price[0]'), (24, 'u32', 2, 'NumberOfOrders[0]'),
   (28, 'u16', 1, 'Side[0]'), (30, 'u8', 1, 'PriceLevel[0]'), (31, 'u8', 0, 'UpdateAction[0] New'),
   (32, 'fill4', None, 'Filler'),
   (36, 'u64', Big(0), 'AggregateQuantity[1]'), (44, 'i32', 0, 'Price[1]'), (48, 'u32', 0, 'NumberOfOrders[1]'),
   (52, 'u16', 0, 'Side[1]'), (54, 'u8', 0, 'PriceLevel[1]'), (55, 'u8', 74, 'UpdateAction[1] Orderbook Clear'),
   (56, 'fill4', None, 'Filler')],
  {'msgType': 53, 'securityCode': 9988, 'entries': [
      {'aggregateQuantity': Big(1500), 'price': 9750, 'numberOfOrders': 2, 'side': 1, 'priceLevel': 1,
       'updateAction': 0},
      {'aggregateQuantity': Big(0), 'price': 0, 'numberOfOrders': 0, 'side': 0, 'priceLevel': 0,
       'updateAction': 74}]})
V('AggregateOrderBookUpdate (53) emptied book, NoEntries 0', 53, 12,
  [(4, 'u32', 9988, 'SecurityCode'), (8, 'fill3', None, 'Filler'), (11, 'u8', 0, 'NoEntries')],
  {'msgType': 53, 'securityCode': 9988, 'entries': []})
bq = [(2137, 'B'), (4138, 'B'), (1, 'S'), (2141, 'B'), (5123, 'B'), (2, 'S'), (0, 'S'), (3, 'S'), (3145, 'B')]
bq_fields = [(4, 'u32', 5, 'SecurityCode'), (8, 'u8', len(bq), 'ItemCount'), (9, 'u16', 2, 'Side (2 = sell)'),
             (11, 'char1', 'N', 'BQMoreFlag')]
for i, (item, t) in enumerate(bq):
    bq_fields += [(12 + 4 * i, 'u16', item, f'Item[{i}]'), (14 + 4 * i, 'char1', t, f'Type[{i}]'),
                  (15 + 4 * i, 'fill1', None, 'Filler')]
V('BrokerQueue (54) the spec example (OMD-C 3.9.7)', 54, 48, bq_fields,
  {'msgType': 54, 'securityCode': 5, 'side': 2, 'bqMoreFlag': 'N',
   'items': [{'item': i, 'type': t} for i, t in bq]},
  'Side 1 buy / 2 sell here, unlike every other message (spec §12 U10)')
V('OrderImbalance (56) buy surplus', 56, 20,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'char1', 'B', 'OrderImbalanceDirection'), (9, 'fill1', None, 'Filler'),
   (10, 'u64', Big(150000), 'OrderImbalanceQuantity'), (18, 'fill2', None, 'Filler')],
  {'msgType': 56, 'securityCode': 700, 'orderImbalanceDirection': 'B', 'orderImbalanceQuantity': Big(150000)})
V('OrderImbalance (56) no IEP (direction space)', 56, 20,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'char1', ' ', 'OrderImbalanceDirection'), (9, 'fill1', None, 'Filler'),
   (10, 'u64', Big(0), 'OrderImbalanceQuantity'), (18, 'fill2', None, 'Filler')],
  {'msgType': 56, 'securityCode': 700, 'orderImbalanceDirection': '', 'orderImbalanceQuantity': Big(0)})

# ---------------------------------------------------------------- trade and price (spec §5.4)
V('Trade (50)', 50, 32,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u32', 17, 'TradeID'), (12, 'i32', 385200, 'Price'),
   (16, 'u32', 2000, 'Quantity'), (20, 'i16', 0, 'TrdType'), (22, 'fill2', None, 'Filler'),
   (24, 'u64', Big(1767922200123456000), 'TradeTime')],
  {'msgType': 50, 'securityCode': 700, 'tradeId': 17, 'price': 385200, 'quantity': 2000, 'trdType': 0,
   'tradeTime': Big(1767922200123456000)})
V('Trade (50) odd-lot', 50, 32,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u32', 18, 'TradeID'), (12, 'i32', 385000, 'Price'),
   (16, 'u32', 40, 'Quantity'), (20, 'i16', 102, 'TrdType'), (22, 'fill2', None, 'Filler'),
   (24, 'u64', Big(1767922201000001000), 'TradeTime')],
  {'msgType': 50, 'securityCode': 700, 'tradeId': 18, 'price': 385000, 'quantity': 40, 'trdType': 102,
   'tradeTime': Big(1767922201000001000)})
V('TradeCancel (51)', 51, 12, [(4, 'u32', 700, 'SecurityCode'), (8, 'u32', 17, 'TradeID')],
  {'msgType': 51, 'securityCode': 700, 'tradeId': 17})
V('TradeTicker (52)', 52, 36,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u32', 5, 'TickerID'), (12, 'i32', 385200, 'Price'),
   (16, 'u64', Big(5000), 'AggregateQuantity'), (24, 'u64', Big(1767922200123456000), 'TradeTime'),
   (32, 'i16', 0, 'TrdType'), (34, 'char1', 'N', 'TrdCancelFlag'), (35, 'fill1', None, 'Filler')],
  {'msgType': 52, 'securityCode': 700, 'tickerId': 5, 'price': 385200, 'aggregateQuantity': Big(5000),
   'tradeTime': Big(1767922200123456000), 'trdType': 0, 'trdCancelFlag': 'N'})
V('TradeTicker (52) negative price, late trade', 52, 36,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u32', 6, 'TickerID'), (12, 'i32', -1, 'Price'),
   (16, 'u64', Big(3000), 'AggregateQuantity'), (24, 'u64', Big(0), 'TradeTime'),
   (32, 'i16', 4, 'TrdType'), (34, 'char1', 'Y', 'TrdCancelFlag'), (35, 'fill1', None, 'Filler')],
  {'msgType': 52, 'securityCode': 700, 'tickerId': 6, 'price': -1, 'aggregateQuantity': Big(3000),
   'tradeTime': Big(0), 'trdType': 4, 'trdCancelFlag': 'Y'},
  'price -1 checks the i32 sign; cancelled ticker (TradeTime n/a)')
V('ClosingPrice (62)', 62, 16,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'i32', 385200, 'ClosingPrice'), (12, 'u32', 12345, 'NumberOfTrades')],
  {'msgType': 62, 'securityCode': 700, 'closingPrice': 385200, 'numberOfTrades': 12345})
V('NominalPrice (40)', 40, 12, [(4, 'u32', 700, 'SecurityCode'), (8, 'i32', 385400, 'NominalPrice')],
  {'msgType': 40, 'securityCode': 700, 'nominalPrice': 385400})
V('IndicativeEquilibriumPrice (41)', 41, 20,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'i32', 385000, 'Price'), (12, 'u64', Big(120000), 'AggregateQuantity')],
  {'msgType': 41, 'securityCode': 700, 'price': 385000, 'aggregateQuantity': Big(120000)})
V('ReferencePrice (43)', 43, 20,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'i32', 385000, 'ReferencePrice'), (12, 'i32', 346500, 'LowerPrice'),
   (16, 'i32', 423500, 'UpperPrice')],
  {'msgType': 43, 'securityCode': 700, 'referencePrice': 385000, 'lowerPrice': 346500, 'upperPrice': 423500})

# ---------------------------------------------------------------- value added (spec §5.5)
V('Statistics (60)', 60, 52,
  [(4, 'u32', 700, 'SecurityCode'), (8, 'u64', Big(12345678), 'SharesTraded'),
   (16, 'i64', Big(4755500123456), 'Turnover'), (24, 'i32', 390000, 'HighPrice'), (28, 'i32', 380000, 'LowPrice'),
   (32, 'i32', 385200, 'LastPrice'), (36, 'i32', 385123, 'VWAP'), (40, 'u32', 100000, 'ShortSellSharesTraded'),
   (44, 'i64', Big(38520000000), 'ShortSellTurnover')],
  {'msgType': 60, 'securityCode': 700, 'sharesTraded': Big(12345678), 'turnover': Big(4755500123456),
   'highPrice': 390000, 'lowPrice': 380000, 'lastPrice': 385200, 'vwap': 385123, 'shortSellSharesTraded': 100000,
   'shortSellTurnover': Big(38520000000)})
V('MarketTurnover (61) all currencies (blank)', 61, 20,
  [(4, 'char4', 'MAIN', 'MarketCode'), (8, 'char3', '', 'CurrencyCode'), (11, 'fill1', None, 'Filler'),
   (12, 'i64', Big(123456789012345), 'Turnover')],
  {'msgType': 61, 'marketCode': 'MAIN', 'currencyCode': '', 'turnover': Big(123456789012345)})
V('Yield (44)', 44, 12, [(4, 'u32', 4242, 'SecurityCode'), (8, 'i32', 3125, 'Yield')],
  {'msgType': 44, 'securityCode': 4242, 'yield': 3125})

# ---------------------------------------------------------------- news (spec §5.6)
line1 = 'The Exchange announces that trading in the shares of XYZ will resume at 9:00 a.m.'
line2 = 'on 12 January 2026.'
V('News (22) EXN, one market, two securities, two lines', 22, 356 + 4 + 8 + 320,
  [(4, 'char3', 'EXN', 'NewsType'), (7, 'char3', '042', 'NewsID'),
   (10, 'char320', 'Resumption of Trading', 'Headline'), (330, 'char1', 'N', 'CancelFlag'),
   (331, 'char1', 'Y', 'LastFragment'), (332, 'fill4', None, 'Filler'),
   (336, 'u64', Big(1767922200000000000), 'ReleaseTime'), (344, 'fill2', None, 'Filler'),
   (346, 'u16', 1, 'NoMarketCodes'), (348, 'char4', 'MAIN', 'MarketCode[0]'), (352, 'fill2', None, 'Filler'),
   (354, 'u16', 2, 'NoSecurityCodes'), (356, 'u32', 700, 'SecurityCode[0]'), (360, 'u32', 5, 'SecurityCode[1]'),
   (364, 'fill2', None, 'Filler'), (366, 'u16', 2, 'NoNewsLines'), (368, 'char160', line1, 'NewsLine[0]'),
   (528, 'char160', line2, 'NewsLine[1]')],
  {'msgType': 22, 'newsType': 'EXN', 'newsId': '042', 'headline': 'Resumption of Trading', 'cancelFlag': 'N',
   'lastFragment': 'Y', 'releaseTime': Big(1767922200000000000), 'marketCodes': ['MAIN'],
   'securityCodes': [700, 5], 'newsLines': [line1, line2]})
V('News (22) EXC Chinese (UTF-16LE), all markets, one line', 22, 356 + 160,
  [(4, 'char3', 'EXC', 'NewsType'), (7, 'char3', '043', 'NewsID'),
   (10, 'utf16_320', '恢復買賣', 'Headline'), (330, 'char1', 'N', 'CancelFlag'),
   (331, 'char1', 'N', 'LastFragment'), (332, 'fill4', None, 'Filler'),
   (336, 'u64', Big(1767922200000000000), 'ReleaseTime'), (344, 'fill2', None, 'Filler'),
   (346, 'u16', 0, 'NoMarketCodes'), (348, 'fill2', None, 'Filler'),
   (350, 'u16', 0, 'NoSecurityCodes'), (352, 'fill2', None, 'Filler'), (354, 'u16', 1, 'NoNewsLines'),
   (356, 'utf16_160', '聯交所宣布恢復買賣。', 'NewsLine[0]')],
  {'msgType': 22, 'newsType': 'EXC', 'newsId': '043', 'headline': '恢復買賣', 'cancelFlag': 'N',
   'lastFragment': 'N', 'releaseTime': Big(1767922200000000000), 'marketCodes': [], 'securityCodes': [],
   'newsLines': ['聯交所宣布恢復買賣。']}, 'UTF-16LE text NUL-padded (assumed, spec §12 U9)')

# ---------------------------------------------------------------- index (spec §5.7)
V('IndexDefinition (70) HSI', 70, 20,
  [(4, 'char11', '0000100', 'IndexCode'), (15, 'char1', 'H', 'IndexSource'), (16, 'char3', 'HKD', 'CurrencyCode'),
   (19, 'fill1', None, 'Filler')],
  {'msgType': 70, 'indexCode': '0000100', 'indexSource': 'H', 'currencyCode': 'HKD'})
V('IndexData (71) HSI real-time, some values null', 71, 112,
  [(4, 'char11', '0000100', 'IndexCode'), (15, 'char1', 'T', 'IndexStatus'),
   (16, 'i64', Big(1767922200000000000), 'IndexTime'), (24, 'i64', Big(1945612340000), 'IndexValue'),
   (32, 'i64', Big(-1234560000), 'NetChgPrevDay'), (40, 'i64', Big(1950000000000), 'HighValue'),
   (48, 'i64', Big(1940000000000), 'LowValue'), (56, 'i64', NULL64, 'EASValue'),
   (64, 'i64', Big(520000000000000), 'IndexTurnover'), (72, 'i64', Big(1946000000000), 'OpeningValue'),
   (80, 'i64', NULL64, 'ClosingValue'), (88, 'i64', Big(1957958000000), 'PreviousSesClose'),
   (96, 'i64', NULL64, 'IndexVolume'), (104, 'i32', -63, 'NetChgPrevDayPct'), (108, 'char1', ' ', 'Exception'),
   (109, 'fill3', None, 'Filler')],
  {'msgType': 71, 'indexCode': '0000100', 'indexStatus': 'T', 'indexTime': Big(1767922200000000000),
   'indexValue': Big(1945612340000), 'netChgPrevDay': Big(-1234560000), 'highValue': Big(1950000000000),
   'lowValue': Big(1940000000000), 'easValue': NULL64, 'indexTurnover': Big(520000000000000),
   'openingValue': Big(1946000000000), 'closingValue': NULL64, 'previousSesClose': Big(1957958000000),
   'indexVolume': NULL64, 'netChgPrevDayPct': -63, 'exception': ''},
  'null Int64 = 0x8000000000000000 (OMD-C 3.1.1)')

# ---------------------------------------------------------------- Stock Connect (spec §5.8)
V('StockConnectDailyQuotaBalance (80) balance null (≥ 30 %)', 80, 24,
  [(4, 'char2', 'SH', 'StockConnectMarket'), (6, 'char2', 'NB', 'TradingDirection'),
   (8, 'i64', NULL64, 'DailyQuotaBalance'), (16, 'u64', Big(1767922200000000000), 'DailyQuotaBalanceTime')],
  {'msgType': 80, 'stockConnectMarket': 'SH', 'tradingDirection': 'NB', 'dailyQuotaBalance': NULL64,
   'dailyQuotaBalanceTime': Big(1767922200000000000)})
V('StockConnectMarketTurnover (81) northbound', 81, 32,
  [(4, 'char2', 'SZ', 'StockConnectMarket'), (6, 'char2', 'NB', 'TradingDirection'),
   (8, 'i64', NULL64, 'BuyTurnover'), (16, 'i64', NULL64, 'SellTurnover'),
   (24, 'i64', Big(98765432100), 'Buy+SellTurnover')],
  {'msgType': 81, 'stockConnectMarket': 'SZ', 'tradingDirection': 'NB', 'buyTurnover': NULL64,
   'sellTurnover': NULL64, 'buySellTurnover': Big(98765432100)})
V('StockConnectMarketTurnover (81) southbound', 81, 32,
  [(4, 'char2', 'SH', 'StockConnectMarket'), (6, 'char2', 'SB', 'TradingDirection'),
   (8, 'i64', Big(1200000000), 'BuyTurnover'), (16, 'i64', Big(800000000), 'SellTurnover'),
   (24, 'i64', Big(2000000000), 'Buy+SellTurnover')],
  {'msgType': 81, 'stockConnectMarket': 'SH', 'tradingDirection': 'SB', 'buyTurnover': Big(1200000000),
   'sellTurnover': Big(800000000), 'buySellTurnover': Big(2000000000)})

# ---------------------------------------------------------------- OMD-CC (spec §8.1, §12 U13)
V('CcMarketDefinition (610) SSE', 610, 40,
  [(4, 'char4', 'ASHR', 'MarketCode'), (8, 'char25', 'Shanghai A Share', 'MarketName'),
   (33, 'char3', 'CNY', 'CurrencyCode'), (36, 'u32', 600, 'NumberOfSecurities')],
  {'msgType': 610, 'marketCode': 'ASHR', 'marketName': 'Shanghai A Share', 'currencyCode': 'CNY',
   'numberOfSecurities': 600}, 'layout as 10 (spec §8.1, U13)')
V('CcSecurityDefinition (611)', 611, 220,
  [(4, 'u32', 600519, 'SecurityCode'), (8, 'char4', 'ASHR', 'MarketCode'), (12, 'char12', 'CNE0000018R8', 'ISINCode'),
   (24, 'char4', 'EQTY', 'InstrumentType'), (28, 'fill2', None, 'Filler'),
   (30, 'char40', 'KWEICHOW MOUTAI', 'SecurityShortName'), (70, 'char3', 'CNY', 'CurrencyCode'),
   (73, 'fill60', None, 'Filler'), (133, 'utf16_60', '贵州茅台', 'SecurityNameGB'), (193, 'u32', 100, 'LotSize'),
   (197, 'i32', 1450000, 'PreviousClosingPrice'), (201, 'fill1', None, 'Filler'), (202, 'char1', 'N', 'ShortSellFlag'),
   (203, 'fill6', None, 'Filler'), (209, 'u32', 20010827, 'ListingDate'), (213, 'fill7', None, 'Filler')],
  {'msgType': 611, 'securityCode': 600519, 'marketCode': 'ASHR', 'isinCode': 'CNE0000018R8', 'instrumentType': 'EQTY',
   'securityShortName': 'KWEICHOW MOUTAI', 'currencyCode': 'CNY', 'securityNameGB': '贵州茅台', 'lotSize': 100,
   'previousClosingPrice': 1450000, 'shortSellFlag': 'N', 'listingDate': 20010827}, 'spec §12 U13')
V('CcSecurityStatus (621) resume', 621, 20,
  [(4, 'u32', 600519, 'SecurityCode'), (8, 'u8', 3, 'SecurityTradingStatus'), (9, 'fill3', None, 'Filler'),
   (12, 'char8', 'T111', 'TradingPhaseCode')],
  {'msgType': 621, 'securityCode': 600519, 'securityTradingStatus': 3, 'tradingPhaseCode': 'T111'},
  'TradingPhaseCode values are unknown (spec §12 U13); "T111" is an arbitrary ASCII code')
V('CcTopOfBook (655)', 655, 40,
  [(4, 'u32', 600519, 'SecurityCode'), (8, 'u64', Big(300), 'AggregateBidQuantity'),
   (16, 'u64', Big(500), 'AggregateAskQuantity'), (24, 'i32', 1449000, 'BidPrice'), (28, 'i32', 1449500, 'AskPrice'),
   (32, 'fill8', None, 'Filler')],
  {'msgType': 655, 'securityCode': 600519, 'aggregateBidQuantity': Big(300), 'aggregateAskQuantity': Big(500),
   'bidPrice': 1449000, 'askPrice': 1449500})
V('CcStatistics (660)', 660, 52,
  [(4, 'u32', 600519, 'SecurityCode'), (8, 'u64', Big(2500000), 'SharesTraded'),
   (16, 'i64', Big(3625000000000), 'Turnover'), (24, 'i32', 1460000, 'HighPrice'), (28, 'i32', 1440000, 'LowPrice'),
   (32, 'i32', 1449200, 'LastPrice'), (36, 'i32', 1450000, 'OpeningPrice'), (40, 'fill12', None, 'Filler')],
  {'msgType': 660, 'securityCode': 600519, 'sharesTraded': Big(2500000), 'turnover': Big(3625000000000),
   'highPrice': 1460000, 'lowPrice': 1440000, 'lastPrice': 1449200, 'openingPrice': 1450000})


def emit():
    print('// GENERATED by test/vectors/omd/derive.py from the layout tables of the OMD-C note')
    print('// (§4, §5, §8.1), field by field with Python struct — not by the TypeScript codec.')
    print('// Each row: [hex bytes, "offset SpecField type = value"]. Expected objects written by hand.')
    print("import type { OmdMessage } from '../../../src/omd/index.ts';")
    print()
    print('export interface MessageVector {')
    print('  name: string;')
    print('  msgType: number;')
    print('  note?: string;')
    print('  fields: Array<[hex: string, field: string]>;')
    print('  expected: OmdMessage;')
    print('}')
    print()
    print('export const MESSAGE_VECTORS: MessageVector[] = [')
    for name, t, note, rows, expected in VECTORS:
        print('  {')
        print(f'    name: {js(name)},')
        print(f'    msgType: {t},')
        if note:
            print(f'    note: {js(note)},')
        print('    fields: [')
        for h, label in rows:
            print(f'      [{js(h)}, {js(label)}],')
        print('    ],')
        print(f'    expected: {js(expected, 4)},')
        print('  },')
    print('];')


emit()
