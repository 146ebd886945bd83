/** TCPRoute / UDPRoute: ports are unique (range is checked by the schema). */
import type { TCPRoute } from '../specs/v1alpha4.js';
import type { Report } from '../objects.js';

export function checkPortRoute(route: TCPRoute, report: Report): void {
  const ports = route.spec?.matches?.ports ?? [];
  const seen = new Set<number>();
  ports.forEach((port, i) => {
    if (seen.has(port)) report('error', 'SMI_DUPLICATE_PORT', ['spec', 'matches', 'ports', i], `port ${port} is listed twice`);
    seen.add(port);
  });
}
