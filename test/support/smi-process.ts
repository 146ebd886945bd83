/** `smi` from source as its own process (benchmarks and end-to-end tests run the real command line). */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
