// cytoscape-expand-collapse ships no types: the part of its API the dashboard uses.
declare module 'cytoscape-expand-collapse' {
  import type { Core, Ext, NodeCollection } from 'cytoscape';
  export interface ExpandCollapseApi {
    collapseAll(options?: object): void;
    collapseAllEdges(options?: object): void;
    expandAll(options?: object): void;
    expandableNodes(nodes?: NodeCollection): NodeCollection;
  }
  export type WithExpandCollapse = Core & { expandCollapse(options: object): ExpandCollapseApi };
  const register: Ext;
  export default register;
}
