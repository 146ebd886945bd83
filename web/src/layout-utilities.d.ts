// cytoscape-layout-utilities ships no types: registered with cytoscape.use(), it gives fcose's
// packComponents the packing of disconnected parts (without it they are left where they fall).
declare module 'cytoscape-layout-utilities' {
  import type { Ext } from 'cytoscape';
  const layoutUtilities: Ext;
  export default layoutUtilities;
}
