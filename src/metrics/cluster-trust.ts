/**
 * The front-proxy settings kube-apiserver publishes for aggregated API servers, read from the
 * cluster (kube-system/extension-apiserver-authentication; the install grants reading it through
 * the extension-apiserver-authentication-reader Role).
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { trustFromConfigMap, type FrontProxyTrust } from './front-proxy.js';

export async function clusterFrontProxyTrust(kc: KubeConfig): Promise<FrontProxyTrust> {
  let data: Record<string, string>;
  try {
    data = (await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: 'kube-system', name: 'extension-apiserver-authentication' })).data ?? {};
  } catch (e) {
    throw new Error(`cannot read kube-system/extension-apiserver-authentication (the front proxy's CA): ${e instanceof Error ? e.message : String(e)}; grant the extension-apiserver-authentication-reader Role, or pass --requestheader-client-ca-file`);
  }
  const trust = trustFromConfigMap(data);
  if (!trust) throw new Error('kube-system/extension-apiserver-authentication has no requestheader-client-ca-file: the API server runs without an aggregation layer (--requestheader-client-ca-file)');
  return trust;
}
