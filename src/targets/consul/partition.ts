/**
 * Consul by namespace. A Consul name stands for whatever registers under it, in every Kubernetes
 * namespace without Consul Enterprise namespaces: whether smi may grant by a name, and which
 * namespace writes the intentions of a name several destinations share, depend on all of them. Each
 * namespace exports, per Consul name, what it holds under it (identities, impostor Services,
 * identities outside smi's scope, destinations, Services); a namespace's translation reads the
 * names it uses, nothing else.
 */
import type { Diagnostic } from '../../api/diagnostic.js';
import { identityKey, inScope, type PolicyModel } from '../../policy/model.js';
import { collectTranslation, diagnosticReporter } from '../diagnostics.js';
import type { Exports, Imports, Partition, TranslateOptions } from '../target.js';
import { serviceNames, translateSplits } from './discovery-chain.js';
import { impostors, intentionDestinations, intentionNotes, knownIdentities, translateIntentions } from './intentions.js';
import { consulKey, consulKeyOf, consulName, type NameFacts } from './names.js';
import { HttpServices } from './protocols.js';

type Fact = 'identities' | 'impostors' | 'outside' | 'destinations' | 'services';

function exports(slice: PolicyModel, namespace: string, options: TranslateOptions): Exports {
  const out = new Map<string, Set<string>>();
  const add = (fact: Fact, name: string, value: string) => {
    const topic = `${fact}/${name}`;
    let set = out.get(topic);
    if (!set) out.set(topic, (set = new Set()));
    set.add(value);
  };
  for (const key of knownIdentities(slice)) add('identities', consulKeyOf(key, options), key);
  for (const [name, who] of impostors(slice, options, () => {})) for (const w of who) add('impostors', name, w);
  if (!inScope(slice, namespace)) for (const w of slice.inventory.workloads) add('outside', consulKey(consulName(w.namespace, w.serviceAccount, options)), `${w.namespace}/${w.serviceAccount}`);
  for (const d of intentionDestinations(slice, options)) add('destinations', consulKeyOf(identityKey(d.identity), options), identityKey(d.identity));
  for (const key of serviceNames(slice)) add('services', consulKeyOf(key, options), key);
  return new Map([...out].map(([topic, set]) => [topic, [...set].sort()]));
}

const factsFrom = (imports: Imports): NameFacts => ({
  identities: (key) => imports.read(`identities/${key}`),
  impostors: (key) => imports.read(`impostors/${key}`),
  outside: (key) => imports.read(`outside/${key}`),
  destinations: (key) => imports.read(`destinations/${key}`),
  services: (key) => imports.read(`services/${key}`),
});

export const consulPartition: Partition = {
  exports,
  translate: (slice, _namespace, imports, options) =>
    collectTranslation((report) => {
      const facts = factsFrom(imports);
      const http = new HttpServices();
      const chain = translateSplits(slice, options, facts, http, report);
      const intentions = translateIntentions(slice, options, facts, http, report);
      return [...chain, ...intentions, ...http.resources(report)];
    }),
  notes: (model) => {
    const out: Diagnostic[] = [];
    intentionNotes(model, diagnosticReporter(out));
    return out;
  },
};
