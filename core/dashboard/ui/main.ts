// The dashboard page (issue 17 item 4): the model graph, a panel for the selected application or
// unit, the live hook log. Everything shown is re-read after each `model` event (coalesced, so a
// burst of changes costs one read at a time): the page follows the model within a second.
import { html, render } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApplicationView, DashboardHook, GraphView, HookRow, UnitView } from '../types.js';
import { follow, readApplication, readModel, readUnit, SessionEndedError } from './api.js';
import { ModelGraph } from './graph.js';
import { HookLog, mergeHooks } from './log-panel.js';
import { ApplicationPanel, UnitPanel } from './panels.js';

declare global {
  interface Window {
    /** For browser tests and the console: what the page shows now. */
    runeDashboard?: DashboardHook;
  }
}

type Selection = { application: string } | { unit: string } | undefined;

/** Runs `read` now, and once more after the current run if asked again meanwhile. */
function coalesced(read: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const go = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void read().finally(() => {
      running = false;
      if (again) {
        again = false;
        go();
      }
    });
  };
  return go;
}

function App(): VNode {
  const graphEl = useRef<HTMLDivElement>(null);
  const graph = useRef<ModelGraph | undefined>(undefined);
  const selection = useRef<Selection>(undefined);
  const [model, setModel] = useState<GraphView>();
  const [panel, setPanel] = useState<ApplicationView | UnitView>();
  const [hooks, setHooks] = useState<HookRow[]>([]);
  const hooksRef = useRef<HookRow[]>([]);
  const [connected, setConnected] = useState(false);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    if (!graphEl.current) return;
    const fail = (e: unknown) =>
      setProblem(e instanceof SessionEndedError || e instanceof Error ? e.message : String(e));
    const readPanel = async () => {
      const s = selection.current;
      if (s === undefined) return setPanel(undefined);
      const view = 'unit' in s ? await readUnit(s.unit) : await readApplication(s.application);
      if (s === selection.current) setPanel(view);
    };
    const refresh = coalesced(async () => {
      try {
        const view = await readModel();
        graph.current?.update(view);
        setModel(view);
        await readPanel();
        setProblem(undefined);
      } catch (e) {
        fail(e);
      }
    });
    const choose = (s: Selection) => {
      selection.current = s;
      graph.current?.select(s && ('unit' in s ? s.unit.split('/')[0] : s.application));
      readPanel().catch(fail);
    };
    graph.current = new ModelGraph(graphEl.current, (application) =>
      choose(application === undefined ? undefined : { application }),
    );
    openUnit = (unit) => choose({ unit });
    openApplication = (application) => choose({ application });
    window.runeDashboard = {
      graph: () => graph.current?.drawn() ?? { nodes: [], edges: [] },
      position: (application) => graph.current?.position(application),
      generation: () => model?.generation ?? -1,
      hooks: () => hooksRef.current,
    };
    refresh();
    return follow({
      model: refresh,
      hooks: (e) => {
        hooksRef.current = mergeHooks(hooksRef.current, e.hooks);
        setHooks(hooksRef.current);
      },
      connected: (up) => {
        setConnected(up);
        // Back after a drop: what changed meanwhile is read at once.
        if (up) refresh();
      },
    });
  }, []);

  useEffect(() => {
    if (window.runeDashboard) window.runeDashboard.generation = () => model?.generation ?? -1;
  }, [model]);

  return html`<header>
      <h1>Rune</h1>
      <span class="model">${model ? `${model.controller} / ${model.model}` : 'loading…'}</span>
      <span class=${`live ${connected ? 'up' : 'down'}`} data-connected=${connected}>
        ${connected ? 'live' : 'reconnecting…'}
      </span>
      <span class="readonly">read-only</span>
    </header>
    <p class="problem" role="alert" hidden=${problem === undefined}>${problem ?? ''}</p>
    <main>
      <div id="graph" ref=${graphEl} data-generation=${model?.generation ?? -1}></div>
      <aside>
        ${
          panel === undefined
            ? html`<p class="muted hint">
                Click an application to see its units, config and history.
              </p>`
            : 'unit' in panel
              ? html`<${UnitPanel}
                  view=${panel}
                  back=${() => openApplication(panel.application)}
                />`
              : html`<${ApplicationPanel} view=${panel} openUnit=${(u: string) => openUnit(u)} />`
        }
      </aside>
    </main>
    <${HookLog} hooks=${hooks} />`;
}

// Set once the graph exists; the panels' buttons call through these.
let openUnit: (unit: string) => void = () => undefined;
let openApplication: (application: string) => void = () => undefined;

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
