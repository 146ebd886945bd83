/**
 * Delegated authentication and authorization, as Kubernetes' aggregated API servers use them: who
 * the user is (from the front proxy or a TokenReview) and whether the cluster lets that user do this
 * (a SubjectAccessReview). Types only: kube/access-review.ts asks the cluster, metrics/ decides with them.
 */

export interface RequestUser {
  readonly name: string;
  readonly groups: readonly string[];
  readonly uid?: string;
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export type AccessAttributes =
  | { readonly resource: { readonly verb: 'get' | 'list'; readonly group: string; readonly version: string; readonly resource: string; readonly subresource?: string; readonly namespace?: string; readonly name?: string } }
  | { readonly nonResource: { readonly verb: 'get'; readonly path: string } };

export interface AccessDecision {
  readonly allowed: boolean;
  /** The authorizer's reason, when it gave one. */
  readonly reason?: string;
}

export type Authorizer = (user: RequestUser, attributes: AccessAttributes) => Promise<AccessDecision>;
/** The user behind a bearer token, or undefined when the cluster does not know the token. */
export type TokenAuthenticator = (token: string) => Promise<RequestUser | undefined>;
