// The dashboard's front end, built into dist/web (served by `smi dashboard` as /app.js): one file,
// no hashes, nothing inlined as data: URLs (the page's CSP allows only its own origin).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  logLevel: 'warn',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    // One bundle (Cytoscape.js with fcose), served from the local machine: its size is not a download concern.
    chunkSizeWarningLimit: 2048,
    target: 'es2022',
    rollupOptions: {
      input: 'src/main.ts',
      output: { entryFileNames: 'app.js', assetFileNames: '[name][extname]', chunkFileNames: '[name].js' },
    },
  },
});
