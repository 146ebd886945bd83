/** `smi dashboard`: the policy, its meshes and what-if questions in a browser (read-only). */
import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { accessModeOption, filenameOption, scopeOption } from '../policy-input.js';
import { loadInput } from '../load.js';
import { formatDiagnostics } from '../format.js';
import { UsageError } from '../io.js';
import { hasErrors } from '../../api/diagnostic.js';
import { resolvePolicy } from '../../policy/resolve.js';
import type { AccessMode } from '../../policy/model.js';
import { addTranslateOptions, requireTarget, translateOptions, type TranslateFlags } from '../mesh-options.js';
import { startDashboard } from '../../dashboard/server.js';
import type { MeshSide } from '../../dashboard/what-if.js';

interface DashboardFlags extends TranslateFlags {
  filename: string[];
  mesh?: string[];
  accessMode: AccessMode;
  namespace?: string[];
  host: string;
  port: string;
}

export function dashboardCommand(ctx: CommandContext, wait: () => Promise<void> = waitForSignal): Command {
  return addTranslateOptions(new Command('dashboard'))
    .summary('serve a read-only web view of the policy, each mesh\'s answers and diagnostics')
    .description('Serves the policy in a browser: namespaces, identities and Services; who may call whom on what;\n' +
      'splits; every diagnostic tied to what it concerns; and a what-if form answered by SMI and by each\n' +
      '--mesh (with --fence networkpolicy where given). Read-only, bound to 127.0.0.1 unless --host says\n' +
      'otherwise; JSON at /api/view, /api/check?from=&to=&port=&protocol=&method=&path=&headers= and\n' +
      '/api/explain?to=. Runs until interrupted.')
    .addOption(filenameOption())
    .addOption(new Option('--mesh <mesh>', 'a mesh to answer beside SMI (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(accessModeOption())
    .addOption(scopeOption())
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .action(async (opts: DashboardFlags) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${opts.port}: not a port number`);
      const input = await loadInput(ctx, opts.filename);
      const shown = input.diagnostics.filter((d) => d.severity !== 'info');
      if (shown.length > 0) ctx.io.stderr(formatDiagnostics(shown));
      if (hasErrors(input.diagnostics)) throw new UsageError('the input has errors (above); fix them or check them with `smi validate`');
      const model = resolvePolicy(input, { mode: opts.accessMode, ...(opts.namespace && opts.namespace.length > 0 ? { scope: { namespaces: opts.namespace } } : {}) });
      const options = translateOptions(opts);
      const sides: MeshSide[] = (opts.mesh ?? []).map((name) => {
        // --fence applies to the meshes that have one (as in smi diff); cilium is shown as it is.
        const target = requireTarget(name, { ...opts, fence: undefined });
        const sideOptions = target.fence ? options : { ...options, fence: undefined };
        return { target, options: sideOptions, translation: target.translate(model, sideOptions) };
      });
      const running = await startDashboard({ model, input: input.diagnostics, sides }, { host: opts.host, port });
      ctx.io.stderr(`smi dashboard: ${running.url} (read-only; Ctrl-C stops it)\n`);
      try {
        await wait();
      } finally {
        await running.close();
      }
    });
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
