/**
 * A throw-away PKI made in memory at test time with @peculiar/x509 (nothing secret is ever committed): a CA,
 * the broker's server certificate for `localhost` / `127.0.0.1`, and agent certificates with SPIFFE URI SANs.
 *
 * @module
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** A certificate and its private key, both PEM. */
export interface CertifiedKey {
  /** The certificate (PEM). */
  cert: string;
  /** Its private key (PKCS#8 PEM). */
  key: string;
}

/** Options of {@link TestPki.issue}. */
export interface IssueOptions {
  /** The subject CN (default `atb-test-agent`). */
  commonName?: string;
  /** URI SANs, e.g. a SPIFFE ID; give none for a certificate the broker must refuse. */
  uris?: string[];
  /** DNS SANs. */
  dnsNames?: string[];
  /** IP SANs. */
  ips?: string[];
  /** `server` or `client` (default `client`). */
  usage?: 'server' | 'client';
}

/** A CA that issues certificates. */
export interface TestPki {
  /** The CA certificate (PEM): the trust anchor for the broker and for agents. */
  caCert: string;
  /** The broker's certificate for `localhost` and `127.0.0.1`. */
  server: CertifiedKey;
  /** Issues a certificate signed by this CA. */
  issue(options?: IssueOptions): Promise<CertifiedKey>;
  /** Issues an agent certificate whose URI SAN is `spiffeId`. */
  agent(spiffeId: string): Promise<CertifiedKey>;
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * Creates a CA (`CN=<name>`, default `atb-test-ca`, ECDSA P-256, valid one day around now) and the broker's
 * server certificate.
 *
 * @example
 * ```ts
 * const pki = await createTestPki();
 * const agent = await pki.agent('spiffe://example.org/ns/default/sa/agent');
 * ```
 */
export async function createTestPki(name = 'atb-test-ca'): Promise<TestPki> {
  const caKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - DAY);
  const notAfter = new Date(Date.now() + DAY);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const issue = async (options: IssueOptions = {}): Promise<CertifiedKey> => {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const names: x509.JsonGeneralName[] = [
      ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
      ...(options.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ];
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${options.commonName ?? 'atb-test-agent'}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingKey: caKeys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALG,
      extensions: [
        ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        new x509.ExtendedKeyUsageExtension([
          options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ],
    });
    return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
  };
  const server = await issue({
    commonName: 'atb-test-broker',
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
    usage: 'server',
  });
  return {
    caCert: ca.toString('pem'),
    server,
    issue,
    agent: (spiffeId) => issue({ uris: [spiffeId] }),
  };
}

/** Paths written by {@link writePemFiles}. */
export interface PemFiles {
  /** The certificate. */
  certFile: string;
  /** The private key (mode 0600). */
  keyFile: string;
  /** The CA certificate, when one was given. */
  caFile?: string;
}

/** Writes PEM files (`<prefix>.crt`, `<prefix>.key`, and `ca.crt`) into `dir` and returns their paths. */
export function writePemFiles(dir: string, pem: CertifiedKey & { ca?: string }, prefix = 'agent'): PemFiles {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, `${prefix}.crt`);
  const keyFile = join(dir, `${prefix}.key`);
  writeFileSync(certFile, pem.cert);
  writeFileSync(keyFile, pem.key, { mode: 0o600 });
  if (pem.ca === undefined) return { certFile, keyFile };
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, pem.ca);
  return { certFile, keyFile, caFile };
}

function serial(): string {
  return Array.from(webcrypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .replace(/^[89a-f]/, '1');
}
