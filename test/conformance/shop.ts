/**
 * The shop: the world the conformance cases share. books (two versions behind one Service, running as
 * ServiceAccount books, listening on TCP 8080 and UDP 5353), web (the usual caller) and cron (a
 * caller no case grants anything), each with its ServiceAccount, in namespace shop. smallShop is the
 * one-version shop each mesh's named cases start from.
 */
import { deploymentYaml, serviceYaml } from '../support/policy.js';
const deployment = (name: string, sa: string, labels: Record<string, string>, ports: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: ${JSON.stringify(labels)}}
  template:
    metadata: {labels: ${JSON.stringify(labels)}}
    spec: {serviceAccountName: ${sa}, containers: [{name: app, image: example.com/${name}, ports: ${ports}}]}
`;

const service = (name: string, selector: Record<string, string>) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec: {selector: ${JSON.stringify(selector)}, ports: [{name: http, port: 80, targetPort: 8080}]}
`;

const BOOKS_PORTS = '[{containerPort: 8080}, {containerPort: 5353, protocol: UDP}]';

export const SHOP = [
  ...['books', 'web', 'cron'].map((sa) => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${sa}, namespace: shop}\n`),
  deployment('books-v1', 'books', { app: 'books', version: 'v1' }, BOOKS_PORTS),
  deployment('books-v2', 'books', { app: 'books', version: 'v2' }, BOOKS_PORTS),
  deployment('web', 'web', { app: 'web' }, '[{containerPort: 80}]'),
  deployment('cron', 'cron', { app: 'cron' }, '[{containerPort: 9000}]'),
  service('books', { app: 'books' }),
  service('books-v1', { app: 'books', version: 'v1' }),
  service('books-v2', { app: 'books', version: 'v2' }),
].join('');

/** A TrafficTarget in the shop granting books to these sources by these rules. */
export const grantBooks = (name: string, sources: readonly string[], rules: string) => `---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: ${name}, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: books, namespace: shop}
  rules: ${rules}
  sources: [${sources.map((s) => `{kind: ServiceAccount, name: ${s}, namespace: shop}`).join(', ')}]
`;

/** An SMI route object in the shop (HTTPRouteGroup, TCPRoute, UDPRoute) with this spec. */
export const route = (kind: 'HTTPRouteGroup' | 'TCPRoute' | 'UDPRoute', name: string, spec: string) => `---
apiVersion: specs.smi-spec.io/v1alpha4
kind: ${kind}
metadata: {name: ${name}, namespace: shop}
spec: ${spec}
`;

/**
 * The one-version shop: Deployment books (ServiceAccount books, TCP 8080) behind Service books, and web
 * (TCP 80, behind Service web unless `webService: false`); with `cron`, a caller without ports or Service.
 */
export const smallShop = (options: { readonly cron?: boolean; readonly webService?: boolean } = {}): string =>
  deploymentYaml('shop', 'books', 'books', [8080]) + deploymentYaml('shop', 'web', 'web', [80])
  + (options.cron ? deploymentYaml('shop', 'cron', 'cron', []) : '')
  + serviceYaml('shop', 'books', 8080) + (options.webService === false ? '' : serviceYaml('shop', 'web', 80));
