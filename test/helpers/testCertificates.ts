import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  /** Path of the CA's certificate (PEM), as FANOUT_ENDPOINT_CA_FILE would name it. */
  caFile: string;
  caPem: string;
  /** A server certificate for 127.0.0.1 and localhost, signed by the CA. */
  server: { key: string; cert: string };
  /** A self-signed server certificate for the same names, which nobody trusts. */
  untrusted: { key: string; cert: string };
  remove(): void;
}

/** A throwaway CA and server certificates, made with openssl in a temporary folder. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-tls-'));
  const at = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const san = 'subjectAltName=IP:127.0.0.1,DNS:localhost';
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Fanout test CA',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
  );
  writeFileSync(at('server.ext'), `${san}\nextendedKeyUsage=serverAuth\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('server.ext'),
    '-out',
    at('server.pem'),
  );
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    at('rogue.key'),
    '-out',
    at('rogue.pem'),
    '-addext',
    san,
  );
  const read = (f: string) => readFileSync(at(f), 'utf8');
  return {
    dir,
    caFile: at('ca.pem'),
    caPem: read('ca.pem'),
    server: { key: read('server.key'), cert: read('server.pem') },
    untrusted: { key: read('rogue.key'), cert: read('rogue.pem') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
