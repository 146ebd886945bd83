/** How the metrics server decides the aggregation layer is asking: the cluster's ConfigMap, the certificate, the user headers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate, trustFromConfigMap } from '../../src/metrics/front-proxy.js';

// The ConfigMap as kube-apiserver writes it: PEM and JSON lists.
const DATA = {
  'requestheader-client-ca-file': '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
  'requestheader-allowed-names': '["front-proxy-client"]',
  'requestheader-username-headers': '["X-Remote-User"]',
  'requestheader-group-headers': '["X-Remote-Group"]',
};

test('the ConfigMap is read as the API server writes it; without a requestheader CA there is nobody to trust', () => {
  const trust = trustFromConfigMap(DATA)!;
  assert.deepEqual(trust.allowedNames, ['front-proxy-client']);
  assert.deepEqual(trust.usernameHeaders, ['X-Remote-User']);
  assert.equal(trustFromConfigMap({ 'client-ca-file': 'x' }), undefined);
  assert.deepEqual(trustFromConfigMap({ 'requestheader-client-ca-file': 'pem' })!.allowedNames, [], 'no names listed: any certificate the CA signed');
  assert.throws(() => trustFromConfigMap({ ...DATA, 'requestheader-allowed-names': '{"a":1}' }), /JSON list/);
});

test('a verified certificate with an allowed name and a user header is the user; each group header kept whole', () => {
  const trust = trustFromConfigMap(DATA)!;
  const headers = { 'x-remote-user': ['alice'], 'x-remote-group': ['dev,ops', 'system:authenticated'] };
  assert.deepEqual(authenticate({ verified: true, commonName: 'front-proxy-client' }, headers, trust), { user: { name: 'alice', groups: ['dev,ops', 'system:authenticated'] } });
});

test('refused: unverified, a name not allowed, no user', () => {
  const trust = trustFromConfigMap(DATA)!;
  const headers = { 'x-remote-user': ['alice'] };
  assert.match((authenticate({ verified: false }, headers, trust) as { refused: string }).refused, /client certificate/);
  assert.match((authenticate({ verified: true, commonName: 'someone' }, headers, trust) as { refused: string }).refused, /not an allowed front-proxy name/);
  assert.match((authenticate({ verified: true, commonName: 'front-proxy-client' }, { 'x-remote-user': [''] }, trust) as { refused: string }).refused, /no user/);
  assert.ok('user' in authenticate({ verified: true, commonName: 'anyone' }, headers, { ...trust, allowedNames: [] }));
});

test("the user's UID and extra attributes travel from the front proxy's headers into what the cluster is asked", () => {
  const trust = trustFromConfigMap({
    'requestheader-client-ca-file': '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n',
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    'requestheader-uid-headers': '["X-Remote-Uid"]',
  })!;
  const headers = {
    'x-remote-user': ['alice'], 'x-remote-group': ['dev'], 'x-remote-uid': ['u-123'],
    'x-remote-extra-scopes': ['read', 'write'], 'x-remote-extra-acme.com%2fproject': ['p1'], 'x-remote-extra-bad%zz': ['x'],
  };
  assert.deepEqual(authenticate({ verified: true }, headers, trust), {
    user: { name: 'alice', groups: ['dev'], uid: 'u-123', extra: { scopes: ['read', 'write'], 'acme.com/project': ['p1'] } },
  });
  // Without the keys in the ConfigMap: Kubernetes' default extra prefix, no UID header.
  const defaults = trustFromConfigMap({ 'requestheader-client-ca-file': 'CA' })!;
  assert.deepEqual(authenticate({ verified: true }, headers, defaults), { user: { name: 'alice', groups: ['dev'], extra: { scopes: ['read', 'write'], 'acme.com/project': ['p1'] } } });
});
