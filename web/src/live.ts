/**
 * /api/events says when the state has a new version (a followed cluster changed) and when the
 * differences of the current one are complete; the page then re-reads the view for the graph and its
 * own URL for the text sections (rendered by the server, so the page and the picture never
 * disagree), without a reload.
 */
const SECTIONS = ['source-status', 'namespaces', 'edges', 'differences', 'diagnostics', 'answer', 'route-answer', 'explain', 'identities', 'services'];

/** Replaces each section the new page has (and drops those it no longer has). */
async function refreshText(): Promise<void> {
  const html = await (await fetch(window.location.href)).text();
  const fresh = new DOMParser().parseFromString(html, 'text/html');
  for (const id of SECTIONS) {
    const now = document.getElementById(id);
    const next = fresh.getElementById(id);
    if (now && next) now.replaceWith(document.importNode(next, true));
    else if (now && !next) now.remove();
  }
}

export function followVersions(redraw: () => Promise<void>): void {
  const events = new EventSource('/api/events');
  let busy = Promise.resolve();
  const refresh = (when: (version: number, shown: number) => boolean) => (event: Event) => {
    const { version } = JSON.parse((event as MessageEvent<string>).data) as { version: number };
    busy = busy.then(async () => {
      if (!when(version, Number(document.body.dataset.version ?? '0'))) return;
      await Promise.all([redraw(), refreshText()]);
      document.body.dataset.version = String(version);
    }).catch((e: unknown) => console.warn('refreshing the view failed', e));
  };
  events.addEventListener('version', refresh((version, shown) => version > shown));
  // The differences of the version shown are complete (unless the page already has them).
  events.addEventListener('differences', refresh((version, shown) => version >= shown && document.getElementById('differences')?.dataset.complete !== 'true'));
}
