/**
 * A CA and a serving certificate for the webhooks (ECDSA P-256), for `smi install --webhook-certs
 * generate` and for tests: the CA goes into the caBundle of the webhook configurations, the pair into
 * the Secret the webhook mounts. Made with @peculiar/x509 over Node's WebCrypto.
 */
// @peculiar/x509 resolves its parts through tsyringe, which needs the metadata polyfill first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface GeneratedCertificates {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const pem = (label: string, der: ArrayBuffer) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
const serial = () => Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');

export async function generateCertificates(options: { dnsNames: readonly string[]; ipAddresses?: readonly string[]; days?: number; commonName?: string }): Promise<GeneratedCertificates> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (options.days ?? 365) * 86_400_000);
  const caKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    // A unique name: a client trusting two CAs during a rotation picks the issuer by name.
    serialNumber: serial(), name: `CN=${options.commonName ?? 'smi-webhook-ca'}-${serial().slice(0, 8)}`, notBefore, notAfter, keys: caKeys, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: `CN=${options.dnsNames[0] ?? 'smi-webhook'}`, issuer: ca.subject, notBefore, notAfter,
    signingKey: caKeys.privateKey, publicKey: leafKeys.publicKey, signingAlgorithm: ALG,
    extensions: [
      new x509.SubjectAlternativeNameExtension([...options.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.BasicConstraintsExtension(false),
    ],
  });
  return { caPem: ca.toString('pem') + '\n', certPem: leaf.toString('pem') + '\n', keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)) };
}
