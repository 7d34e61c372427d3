// A throw-away PKI for tests: a CA and one certificate (for the given addresses, both sites) it
// signed, and a second CA with its own certificate (a stranger). Made with the openssl command in
// a temporary folder that is removed before this returns.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  ca: string;
  cert: string;
  key: string;
  /** Signed by another CA: must be refused. */
  strangerCert: string;
  strangerKey: string;
}

export function makeTestPki(ips: readonly string[] = ['127.0.0.1', '127.0.0.2', '127.0.0.3']): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'fd-pki-'));
  try {
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    writeFileSync(join(dir, 'san.ext'), `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    const issue = (ca: string, name: string) => {
      ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`);
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      ssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${ca}.crt`,
        '-CAkey',
        `${ca}.key`,
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-extfile',
        'san.ext',
      );
    };
    issue('venue-ca', 'site');
    issue('other-ca', 'stranger');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { ca: read('venue-ca.crt'), cert: read('site.crt'), key: read('site.key'), strangerCert: read('stranger.crt'), strangerKey: read('stranger.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
