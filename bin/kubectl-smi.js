#!/usr/bin/env node
// kubectl finds plugins named kubectl-<name> on PATH, so `kubectl smi …` runs this file.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2), { programName: 'kubectl smi' });
