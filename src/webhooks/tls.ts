/**
 * Serving certificate and key from files, reloaded when the files change (cert-manager and
 * kubelet-mounted Secrets replace them in place): the server's secure context is swapped without a
 * restart, and connections made after the swap get the new certificate.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';

export interface KeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Days before expiry from which the server warns (each load, and once a day). */
export const EXPIRY_WARNING_DAYS = 30;

/**
 * Why the serving certificate needs attention, or undefined. `smi install --webhook generate` makes a
 * certificate for 365 days and nothing rotates it (cert-manager does): the warning comes a month ahead.
 */
export function expiryWarning(cert: Buffer, now = new Date()): string | undefined {
  const notAfter = new Date(new X509Certificate(cert).validTo);
  const days = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (days > EXPIRY_WARNING_DAYS) return undefined;
  const when = days < 0 ? `expired ${-days} days ago` : `expires in ${days} days`;
  return `the serving certificate ${when} (${notAfter.toISOString()}): once expired, the API server refuses every SMI write and conversion. Renew it: \`smi install --webhook generate | kubectl apply -f -\` again, or install with --webhook cert-manager, which rotates it`;
}

export class CertificateFiles {
  private stamp = '';
  private timer?: NodeJS.Timeout;
  reloads = 0;

  constructor(readonly certFile: string, readonly keyFile: string) {}

  /** The current key pair; throws when the files are missing or do not match. */
  load(): { cert: Buffer; key: Buffer; context: SecureContext } {
    const stamp = this.currentStamp();
    const cert = readFileSync(this.certFile);
    const key = readFileSync(this.keyFile);
    // A pair caught half-written, or a new key beside the old certificate, must not be served.
    if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) throw new Error(`${this.certFile} and ${this.keyFile} do not belong together (yet)`);
    const context = createSecureContext({ cert, key });
    this.stamp = stamp;
    return { cert, key, context };
  }

  private currentStamp(): string {
    const c = statSync(this.certFile);
    const k = statSync(this.keyFile);
    return `${c.mtimeMs}/${c.size}/${k.mtimeMs}/${k.size}`;
  }

  /** Polls the files; on a change, hands the new context over. A half-written pair is retried later. */
  watch(onChange: (pair: KeyPair) => void, onError: (e: unknown) => void, intervalMs = 1000): void {
    this.timer = setInterval(() => {
      try {
        if (this.currentStamp() === this.stamp) return;
        const { cert, key } = this.load();
        this.reloads++;
        onChange({ cert, key });
      } catch (e) {
        onError(e);
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
