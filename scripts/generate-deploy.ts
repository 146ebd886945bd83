/** Writes deploy/ from src/install (see src/install/deploy-files.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployFiles } from '../src/install/deploy-files.js';

const dir = join(import.meta.dirname, '..', 'deploy');
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(deployFiles())) writeFileSync(join(dir, name), text);
process.stdout.write(`wrote ${Object.keys(deployFiles()).length} files to deploy/\n`);
