/** The policy graph's two labels per edge: the full one (every match, port, weight) and the short one a drawn edge carries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyGraph } from '../../src/policy/graph.js';
import { modelOf } from '../support/policy.js';
import { grantBooks, route, smallShop } from '../conformance/shop.js';

test('an HTTP grant: route names short, every match in full; a TCP grant: its ports; more than two names: a count', () => {
  const model = modelOf(smallShop({ cron: true })
    + route('HTTPRouteGroup', 'reads', '{matches: [{name: list, methods: [GET], pathRegex: /books}, {name: one, methods: [GET], pathRegex: "/books/[0-9]+"}, {name: search, pathRegex: /search, headers: {x-tenant: a}}]}')
    + route('TCPRoute', 'db', '{matches: {ports: [5432, 5433]}}')
    + grantBooks('web-reads', ['web'], '[{kind: HTTPRouteGroup, name: reads, matches: [list, one]}]')
    + grantBooks('web-all', ['cron'], '[{kind: HTTPRouteGroup, name: reads}]')
    + grantBooks('db', ['cron'], '[{kind: TCPRoute, name: db}]'));
  const edges = policyGraph(model).edges;
  const web = edges.find((e) => e.from === 'sa:shop/web')!;
  assert.equal(web.short, 'list, one');
  assert.deepEqual(web.label.split('\n'), ['GET ^/books', 'GET ^/books/[0-9]+']);
  const cron = edges.find((e) => e.from === 'sa:shop/cron')!;
  assert.equal(cron.short, 'list, one +2', 'three route names and the TCP ports: two shown, the rest counted');
  assert.ok(cron.label.includes('x-tenant=~^a') && cron.label.includes('tcp 5432,5433'), cron.label);
});

test('a split: the share, rounded to a tenth, with "(matching)" when it is limited to matches', () => {
  const model = modelOf(smallShop() + `---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: s, namespace: shop}
spec: {service: books, backends: [{service: books, weight: 2}, {service: web, weight: 1}]}
`);
  const shorts = policyGraph(model).edges.filter((e) => e.kind === 'split').map((e) => [e.to, e.short]);
  assert.deepEqual(shorts, [['svc:shop/books', '66.7%'], ['svc:shop/web', '33.3%']]);
});
