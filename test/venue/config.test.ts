import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import {
  defaultVenueConfig,
  feedConfigOf,
  lookupEndpointsOf,
  parseVenueConfig,
  probeConfigFor,
  venueConfigToPlain,
  VenueConfigError,
  parseFaultRequest,
} from '../../src/venue/index.ts';
import { generateVenueKeyPair } from '../../src/ocg/index.ts';

const keys = generateVenueKeyPair();
const base = defaultVenueConfig({ subscribers: 3, privateKeyPem: keys.privateKeyPem });

describe('venue config', () => {
  it('round-trips the embedded default through YAML', () => {
    const back = parseVenueConfig(stringify(venueConfigToPlain(base)));
    assert.deepEqual(back, base);
  });

  it('takes the China Connect daily quota (yuan) and a per-security market, and refuses bad values', () => {
    const plain = venueConfigToPlain(base) as Record<string, unknown> & { securities: Record<string, Record<string, unknown>[]> };
    plain['chinaConnectDailyQuota'] = 52_000_000_000;
    plain.securities['OTP-CSC']![3]!['securityExchange'] = 'XSEC';
    const back = parseVenueConfig(stringify(plain));
    assert.equal(back.chinaConnectDailyQuota, 52_000_000_000);
    assert.equal(back.securities['OTP-CSC'][3]!.securityExchange, 'XSEC');
    assert.deepEqual(parseVenueConfig(stringify(venueConfigToPlain(back))), back, 'round trip');
    plain['chinaConnectDailyQuota'] = -1;
    plain.securities['OTP-CSC']![3]!['securityExchange'] = 'shenzhen';
    assert.throws(
      () => parseVenueConfig(stringify(plain)),
      (e: Error) => e instanceof VenueConfigError && /chinaConnectDailyQuota/.test(e.message) && /securityExchange/.test(e.message),
    );
  });

  it('tls: inline PEM or files relative to the config; an unreadable or non-PEM file is named with its field', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const inline = parseVenueConfig(stringify({ ...venueConfigToPlain(base), tls: { cert: pem, key: pem, ca: pem } }));
    assert.deepEqual(inline.tls, { cert: pem, key: pem, ca: pem });
    assert.equal(base.tls, undefined, 'the embedded default has none');
    const bad = stringify({ ...venueConfigToPlain(base), tls: { cert: 'no-such-file.crt', key: pem, ca: 'package.json' } });
    assert.throws(
      () => parseVenueConfig(bad, { baseDir: process.cwd() }),
      (e: unknown) =>
        e instanceof VenueConfigError &&
        e.issues.length === 2 &&
        e.issues[0]!.path === 'tls.cert' &&
        /cannot read/.test(e.issues[0]!.message) &&
        e.issues[1]!.path === 'tls.ca' &&
        /not a PEM file/.test(e.issues[1]!.message),
    );
  });

  it('lists the four lookup endpoints in the spec order (OCG-C §1.2)', () => {
    const eps = lookupEndpointsOf(base, 'OTP-C');
    assert.deepEqual(
      eps.map((e) => `${e.name}@${e.host}`),
      ['PS-primary@127.0.0.2', 'PS-mirror@127.0.0.2', 'BS-primary@127.0.0.3', 'BS-mirror@127.0.0.3'],
    );
    assert.notEqual(lookupEndpointsOf(base, 'OTP-CSC')[0]!.port, eps[0]!.port, 'OTP-CSC has its own lookup endpoints');
  });

  it('gives every feed two RTS endpoints per site, primary site first (OMD-C 3.4)', () => {
    const f = feedConfigOf(base, 'OMD-CC');
    assert.deepEqual(
      f.rts.map((r) => r.site),
      ['primary', 'primary', 'backup', 'backup'],
    );
    assert.equal(f.channels[0]!.product, 'CC');
  });

  it('derives a subscriber probe config with its identities and the public key', () => {
    const p = probeConfigFor(base, 'F002');
    assert.deepEqual(
      p.trading.map((t) => `${t.service}:${t.compId}:${t.role}`),
      ['OTP-C:F002T:trading', 'OTP-C:F002D:drop-copy', 'OTP-CSC:F002C:trading'],
    );
    assert.deepEqual(
      p.feeds.map((f) => f.rtsUsername),
      ['F002MD', 'F002MC'],
    );
    assert.equal(p.publicKeyPem, keys.publicKeyPem);
    assert.equal(p.localAddress, '127.0.0.1');
    assert.throws(() => probeConfigFor(base, 'NOPE'), /no subscriber NOPE/);
  });

  it('names the field and the line of each problem', () => {
    const yaml = stringify(venueConfigToPlain(base))
      .replace('host: 127.0.0.3', 'host: backup-host')
      .replace('trading: F002T', 'trading: F001T')
      .replace('dropCopy: F003D', 'dropCopy: TOOLONGCOMPID');
    try {
      parseVenueConfig(yaml, { source: 'venue.yaml' });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof VenueConfigError);
      const byPath = new Map(e.issues.map((i) => [i.path, i]));
      assert.match(byPath.get('sites.backup.host')!.message, /not an IPv4 address/);
      assert.match(byPath.get('subscribers.1.OTP-C.trading')!.message, /already used by subscribers\.0/);
      assert.match(byPath.get('subscribers.2.OTP-C.dropCopy')!.message, /Comp ID/);
      const lines = yaml.split('\n');
      assert.match(lines[byPath.get('sites.backup.host')!.line! - 1]!, /backup-host/);
      assert.match(e.message, /^venue\.yaml: invalid venue config/);
    }
  });

  it('reports YAML syntax errors with their line', () => {
    assert.throws(
      () => parseVenueConfig('session: PS2\n  bad: [indent\n'),
      (e: unknown) => e instanceof VenueConfigError && e.issues[0]!.line !== undefined,
    );
  });

  it('accepts the loopback feed shorthand', () => {
    const plain = venueConfigToPlain(base) as Record<string, any>;
    plain['feeds']['OMD-C'] = { loopback: { products: ['SS'], groupBase: 120, basePort: 40000 } };
    const c = parseVenueConfig(stringify(plain));
    assert.equal(c.feeds['OMD-C'].channels.length, 1);
    assert.equal(c.feeds['OMD-C'].channels[0]!.lineA.group, '239.120.1.1');
  });

  it('lays out the complimentary feeds and one OMD-CC channel per market as the spec does (OMD-C 1.3, §8.1)', () => {
    const plain = venueConfigToPlain(base) as Record<string, any>;
    plain['feeds']['OMD-C'] = { loopback: { products: ['SS', 'OddLot', 'StockConnect'], groupBase: 120, basePort: 40000 } };
    plain['feeds']['OMD-CC'] = { loopback: { groupBase: 121, basePort: 41000 } };
    const c = parseVenueConfig(stringify(plain));
    assert.deepEqual(
      c.feeds['OMD-C'].channels.map((x) => x.product),
      ['SS', 'OddLot', 'StockConnect'],
    );
    assert.deepEqual(
      c.feeds['OMD-CC'].channels.map((x) => [x.product, x.market]),
      [
        ['CC', 'ASHR'],
        ['CC', 'ASZR'],
      ],
    );
    const again = parseVenueConfig(stringify(venueConfigToPlain(c)));
    assert.deepEqual(again.feeds, c.feeds, 'explicit channels keep their market');
    const bad = venueConfigToPlain(c) as Record<string, any>;
    bad['feeds']['OMD-CC']['channels'][0]['market'] = 'XSHG';
    assert.throws(
      () => parseVenueConfig(stringify(bad)),
      (e: unknown) => e instanceof VenueConfigError && /market/.test(e.message),
    );
  });
});

describe('site control contract', () => {
  it('validates fault requests', () => {
    assert.equal(parseFaultRequest({ kind: 'flap', downMs: 100, upMs: 100 }).ok, true);
    assert.deepEqual(parseFaultRequest({ kind: 'meteor' }), {
      ok: false,
      field: 'kind',
      message: 'expected one of tcp-reset, blackhole, flap, multicast-stop, loss-line-a, kill, clear',
    });
    const r = parseFaultRequest({ kind: 'loss-line-a', ratio: 2 });
    assert.equal(r.ok, false);
  });
});
