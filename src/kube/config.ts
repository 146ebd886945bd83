/** Where the cluster is: a kubeconfig file, the in-cluster service account, or the default kubeconfig. */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/** Agents kept per distinct TLS identity; a rotated client certificate makes a new one. */
const MAX_AGENTS = 8;

/**
 * A KubeConfig whose requests share keep-alive connections. client-node (1.4) gives every request a
 * new Agent, so each write opened its own connection: on kube-apiserver a TLS handshake per write, on
 * both sides — at a 10k-object cold start, 16,493 handshakes, most of the controller's CPU and a good
 * part of the server's. Here the Agent it makes is swapped for a kept one with the same options
 * (certificates compared by content, so one rotated on disk gets a fresh pool). Proxy agents are left
 * as they are.
 */
export class SharedConnectionsKubeConfig extends KubeConfig {
  private readonly agents = new Map<string, HttpAgent>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (!made || (made.constructor !== HttpsAgent && made.constructor !== HttpAgent)) return;
    const options = (made as HttpAgent & { options: Record<string, unknown> }).options;
    const hash = createHash('sha256').update(made.constructor === HttpsAgent ? 'https' : 'http');
    for (const field of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername']) {
      const v = options[field];
      hash.update(`\0${field}=`).update(v === undefined ? '-' : Buffer.isBuffer(v) || typeof v === 'string' ? v : JSON.stringify(v));
    }
    const key = hash.digest('hex');
    let agent = this.agents.get(key);
    if (!agent) {
      if (this.agents.size >= MAX_AGENTS) {
        const [oldest, old] = this.agents.entries().next().value as [string, HttpAgent];
        this.agents.delete(oldest);
        old.destroy();
      }
      const Kind = made.constructor as typeof HttpsAgent;
      agent = new Kind({ ...options, keepAlive: true });
      this.agents.set(key, agent);
    }
    made.destroy();
    context.setAgent(agent);
  }
}

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new SharedConnectionsKubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}
