import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressPolicy, isLoopbackHost, parseNetwork } from '../../../libs/net/addressPolicy.ts';
import { EndpointTransport } from '../../../libs/net/endpointTransport.ts';
import { guardedLookup, REFUSED_CODE } from '../../../libs/net/guardedLookup.ts';

const strict = new AddressPolicy();

test('private, loopback, link-local, CGNAT, metadata and reserved addresses are refused', () => {
  for (const ip of [
    '127.0.0.1',
    '127.255.0.9',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '100.127.255.254',
    '169.254.169.254',
    '192.0.0.170',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fd00:ec2::254',
    'fc00::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '2001:db8::1',
    // IPv4-mapped, IPv4-compatible and NAT64 forms reach the IPv4 address inside
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '[::1]',
  ]) {
    assert.notEqual(strict.refusal(ip), null, `${ip} was allowed`);
  }
});

test('public addresses pass, in both families and as mapped IPv4', () => {
  for (const ip of [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ]) {
    assert.equal(strict.refusal(ip), null, ip);
  }
  assert.match(strict.refusal('not-an-ip') ?? '', /not an IP address/);
});

test('an allowlist opens exactly the networks it names, mapped forms included', () => {
  const policy = new AddressPolicy(['127.0.0.0/8', '::1', '10.20.0.0/16']);
  for (const ip of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1', '10.20.5.5']) {
    assert.equal(policy.refusal(ip), null, ip);
  }
  for (const ip of ['10.21.0.1', '169.254.169.254', '192.168.0.1', 'fd00:ec2::254']) {
    assert.notEqual(policy.refusal(ip), null, ip);
  }
  for (const bad of ['127.0.0.0/33', 'example.com', '10.0.0.0/8/1', '::1/129', '10.0.0.0/x']) {
    assert.throws(() => parseNetwork(bad), /not an address|bad prefix/, bad);
  }
});

test('endpoint URLs: odd IP spellings are judged as the address they mean; only http(s)', () => {
  const transport = new EndpointTransport();
  for (const url of [
    'http://2130706433/hook',
    'http://0x7f.0.0.1/hook',
    'http://0x7f000001/hook',
    'http://0177.0.0.1/hook',
    'http://127.1/hook',
    'http://017700000001/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://0/hook',
    'https://100.64.1.1/hook',
    'ftp://example.com/hook',
    'file:///etc/passwd',
    'gopher://example.com:70/_x',
    'javascript:alert(1)',
    'http://user:pw@example.com/hook',
    'not a url',
  ]) {
    assert.notEqual(transport.urlRefusal(url), null, `${url} was allowed`);
  }
  for (const url of [
    'https://example.com/hook',
    'http://8.8.8.8:8080/x',
    'https://[2606:4700:4700::1111]/',
  ]) {
    assert.equal(transport.urlRefusal(url), null, url);
  }
});

test('the connect-time lookup refuses a name that resolves to loopback', async () => {
  const lookup = guardedLookup(strict);
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
    lookup('localhost', { all: true }, (e) => resolve(e)),
  );
  assert.equal(err?.code, REFUSED_CODE);
  assert.match(err?.message ?? '', /localhost resolves to a refused address/);
  const open = guardedLookup(new AddressPolicy(['127.0.0.0/8', '::1']));
  const addresses = await new Promise<unknown>((resolve, reject) =>
    open('localhost', { all: true }, (e, a) => (e ? reject(e) : resolve(a))),
  );
  assert.ok(Array.isArray(addresses) && addresses.length > 0);
});

test('registration resolves names: one pointing at loopback is refused', async () => {
  const transport = new EndpointTransport();
  assert.match(
    (await transport.registrationRefusal('http://localhost:9/x')) ?? '',
    /refused address/,
  );
  // a name that does not resolve now is left to the connect-time check
  assert.equal(await transport.registrationRefusal('http://no-such-host.invalid/x'), null);
});

test('loopback hosts are told apart from the rest', () => {
  for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.1.1', '::ffff:127.0.0.1']) {
    assert.equal(isLoopbackHost(h), true, h);
  }
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '192.168.1.1']) {
    assert.equal(isLoopbackHost(h), false, h);
  }
});
