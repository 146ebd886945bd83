/** `smi controller` from source, as its own process for the controller benchmark. */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
