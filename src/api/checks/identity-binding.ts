/** IdentityBinding (v1alpha4 draft): schemes that exclude each other. */
import type { IdentityBinding } from '../access/v1alpha4.js';
import type { Report } from '../objects.js';

export function checkIdentityBinding(binding: IdentityBinding, report: Report): void {
  const { schemes } = binding.spec;
  if (schemes.podLabelSelector !== undefined && schemes.serviceAccount !== undefined) {
    report('error', 'SMI_IB_EXCLUSIVE_SCHEMES', ['spec', 'schemes'], 'podLabelSelector and serviceAccount exclude each other; keep one');
  }
  if (schemes.podLabelSelector === undefined && schemes.serviceAccount === undefined && (schemes.spiffeIdentities ?? []).length === 0) {
    report('error', 'SMI_IB_NO_SCHEME', ['spec', 'schemes'], 'name at least one scheme: podLabelSelector, serviceAccount or spiffeIdentities');
  }
}
