import { describe, expect, it } from 'vitest';
import { blockedAddressReason, parseIPv4, parseIPv6 } from '../src/index.ts';

describe('address checks', () => {
  it('parses every inet_aton spelling of 127.0.0.1', () => {
    for (const text of [
      '127.0.0.1',
      '2130706433',
      '0x7f000001',
      '0x7f.1',
      '0177.0.0.1',
      '127.1',
      '127.0.1',
      '0x7F.0.0.0x1',
    ])
      expect(Array.from(parseIPv4(text)!), text).toEqual([127, 0, 0, 1]);
    for (const text of ['256.0.0.1', '1.2.3.4.5', '1..2', 'abc', '08.0.0.1', '4294967296', ''])
      expect(parseIPv4(text), text).toBeUndefined();
  });

  it('parses IPv6 forms, brackets, zones and dotted tails', () => {
    expect(Array.from(parseIPv6('::1')!)).toEqual([...new Array(15).fill(0), 1]);
    expect(Array.from(parseIPv6('[::ffff:127.0.0.1]')!).slice(10)).toEqual([255, 255, 127, 0, 0, 1]);
    expect(Array.from(parseIPv6('fe80::1%eth0')!).slice(0, 2)).toEqual([0xfe, 0x80]);
    expect(parseIPv6('1::2::3')).toBeUndefined();
    expect(parseIPv6('12345::')).toBeUndefined();
    expect(parseIPv6('::ffff:1.2.3.256')).toBeUndefined();
  });

  it('blocks loopback, private, link-local/metadata, CGNAT, multicast, reserved in every spelling', () => {
    const blocked = [
      '127.0.0.1',
      '2130706433',
      '0x7f.1',
      '0177.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.255',
      '0.0.0.0',
      '224.0.0.1',
      '239.255.255.250',
      '255.255.255.255',
      '240.0.0.1',
      '198.18.0.1',
      '192.0.2.1',
      '::1',
      '::',
      '[::1]',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '::127.0.0.1',
      '64:ff9b::10.0.0.1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      '2002:c0a8:101::1',
      'fc00::1',
      'fd00:ec2::254',
      'fe80::1',
      'fe80::1%eth0',
      'ff02::1',
      'fec0::1',
      '2001:db8::1',
      '2001::1',
      'localhost',
      'example.com',
    ];
    for (const address of blocked) expect(blockedAddressReason(address), address).toBeTypeOf('string');
  });

  it('allows public addresses', () => {
    for (const address of [
      '93.184.216.34',
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
    ])
      expect(blockedAddressReason(address), address).toBeUndefined();
  });
});
