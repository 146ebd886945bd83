/** The Istio target: security.istio.io/v1 AuthorizationPolicy and networking.istio.io/v1 VirtualService. */
import type { Diagnostic } from '../../api/diagnostic.js';
import type { Provenance } from '../../policy/model.js';
import type { Target } from '../target.js';
import { sortResources } from '../naming.js';
import { translateAuthorization } from './authorization.js';
import { translateTraffic } from './traffic.js';
import { evaluateIstioAccess, evaluateIstioRoute } from './evaluate.js';

export function diagnosticReporter(diagnostics: Diagnostic[]) {
  return (ref: Provenance | undefined, severity: Diagnostic['severity'], code: string, message: string): void => {
    diagnostics.push({
      severity, code, message, path: '',
      ...(ref ? { file: ref.file, line: ref.line, object: `${ref.kind}/${ref.namespace}/${ref.name}` } : {}),
    });
  };
}

export const istio: Target = {
  name: 'istio',
  summary: 'Istio: AuthorizationPolicy (ALLOW, per destination workloads) and VirtualService (weighted routes)',
  writes: ['security.istio.io/v1/AuthorizationPolicy', 'networking.istio.io/v1/VirtualService'],
  limitations: [
    'authorization paths and header values are exact/prefix/suffix only: other regexes are left out (narrower)',
    'UDP is not intercepted by Istio proxies: UDPRoute rules and UDP denials are not enforced',
    'workloads are selected by pod labels: ServiceAccounts whose pods share labels with others cannot be isolated',
    'weights are whole percentages: shares are rounded',
  ],
  translate(model, options) {
    const diagnostics: Diagnostic[] = [];
    const report = diagnosticReporter(diagnostics);
    const resources = sortResources([...translateAuthorization(model, options, report), ...translateTraffic(model, options, report)]);
    return { resources, diagnostics };
  },
  evaluateAccess: evaluateIstioAccess,
  evaluateRoute: evaluateIstioRoute,
};
