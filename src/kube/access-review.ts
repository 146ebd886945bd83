/**
 * The cluster's answers to "may this user do this?" (SubjectAccessReview) and "who holds this
 * token?" (TokenReview), through the official client: what an aggregated API server delegates to
 * kube-apiserver. The metrics server's ServiceAccount needs system:auth-delegator for both.
 */
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AccessAttributes, Authorizer, RequestUser, TokenAuthenticator } from './delegated-auth.js';

export function subjectAccessReviews(kc: KubeConfig): Authorizer {
  const api = kc.makeApiClient(AuthorizationV1Api);
  return async (user: RequestUser, attributes: AccessAttributes) => {
    const review = await api.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: {
          user: user.name, groups: [...user.groups], ...(user.uid ? { uid: user.uid } : {}),
          ...(user.extra ? { extra: Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]])) } : {}),
          ...('resource' in attributes ? { resourceAttributes: { ...attributes.resource } } : { nonResourceAttributes: { ...attributes.nonResource } }),
        },
      },
    });
    return { allowed: review.status?.allowed === true && review.status?.denied !== true, ...(review.status?.reason ? { reason: review.status.reason } : {}) };
  };
}

export function tokenReviews(kc: KubeConfig, audiences: readonly string[] = []): TokenAuthenticator {
  const api = kc.makeApiClient(AuthenticationV1Api);
  return async (token: string) => {
    const review = await api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences.length > 0 ? { audiences: [...audiences] } : {}) } } });
    const u = review.status?.user;
    if (review.status?.authenticated !== true || !u?.username) return undefined;
    return { name: u.username, groups: u.groups ?? [], ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) };
  };
}
