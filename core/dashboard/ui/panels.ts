// The side panels (issue 17 item 4): an application's units (a virtualised list), machines,
// leader, charm revision, config with secrets masked by the controller, and status history; a
// unit's status, machine, address and history.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { ApplicationView, StatusLogRow, UnitRow, UnitView } from '../types.js';
import { COLOURS } from './colours.js';
import { VirtualList } from './virtual-list.js';

const dot = (health: keyof typeof COLOURS) =>
  html`<span class="dot" style=${{ background: COLOURS[health] }}></span>`;

function history(rows: readonly StatusLogRow[]): VNode {
  if (rows.length === 0) return html`<p class="muted">No status changes recorded.</p>`;
  return html`<table class="history">
    <tbody>
      ${[...rows].reverse().map(
        (r) =>
          html`<tr>
            <td class="time">${r.since.replace('T', ' ').slice(0, 19)}</td>
            <td>${r.type}</td>
            <td>${r.status}</td>
            <td>${r.message}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function unitLine(u: UnitRow, open: (unit: string) => void): VNode {
  return html`<button class="unit-row" data-unit=${u.name} onClick=${() => open(u.name)}>
    ${dot(u.health)}<span class="name">${u.name}${u.leader ? '*' : ''}</span>
    <span>${u.workload}</span><span>${u.agent}</span><span>${u.machine}</span>
    <span>${u.address}</span><span class="message">${u.message}</span>
  </button>`;
}

export function ApplicationPanel(props: {
  view: ApplicationView;
  openUnit: (unit: string) => void;
}): VNode {
  const { view, openUnit } = props;
  const { node } = view;
  return html`<section class="panel" data-application=${node.name}>
    <h2>${dot(node.health)} ${node.name}</h2>
    <dl>
      <dt>Charm</dt>
      <dd>${node.charm} (revision ${node.charmRev})</dd>
      <dt>Status</dt>
      <dd>${node.status}${node.message ? `: ${node.message}` : ''}</dd>
      <dt>Units</dt>
      <dd data-testid="unit-count">${node.units}</dd>
      <dt>Leader</dt>
      <dd>${view.leader ?? '—'}</dd>
      ${
        node.subordinateTo
          ? html`<dt>Beside</dt>
              <dd>${node.subordinateTo.join(', ')}</dd>`
          : ''
      }
    </dl>
    <h3>Units</h3>
    <${VirtualList}
      items=${view.units}
      rowHeight=${26}
      maxHeight=${320}
      className="units"
      rowKey=${(u: UnitRow) => u.name}
      row=${(u: UnitRow) => unitLine(u, openUnit)}
    />
    <h3>Machines</h3>
    <table>
      <tbody>
        ${view.machines.map(
          (m) =>
            html`<tr>
              <td>${m.id}</td>
              <td>${m.status}</td>
              <td>${m.address}</td>
              <td>${m.base}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h3>Config</h3>
    <table class="config">
      <tbody>
        ${view.config.map(
          (c) =>
            html`<tr class=${c.source}>
              <td>${c.name}</td>
              <td class=${c.masked ? 'masked' : ''}>${c.value ?? ''}</td>
              <td class="muted">${c.source}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h3>Status history</h3>
    ${history(view.history)}
  </section>`;
}

export function UnitPanel(props: { view: UnitView; back: () => void }): VNode {
  const { unit, machine } = props.view;
  return html`<section class="panel" data-unit=${unit.name}>
    <button class="back" onClick=${props.back}>← ${props.view.application}</button>
    <h2>${dot(unit.health)} ${unit.name}${unit.leader ? ' (leader)' : ''}</h2>
    <dl>
      <dt>Workload</dt>
      <dd>${unit.workload}${unit.message ? `: ${unit.message}` : ''}</dd>
      <dt>Agent</dt>
      <dd>${unit.agent}</dd>
      <dt>Machine</dt>
      <dd>${unit.machine}${machine ? ` (${machine.status}, ${machine.base})` : ''}</dd>
      <dt>Address</dt>
      <dd>${unit.address}</dd>
      <dt>Charm revision</dt>
      <dd>${unit.charmRev ?? '—'}</dd>
      ${
        unit.principal
          ? html`<dt>Beside</dt>
              <dd>${unit.principal}</dd>`
          : ''
      }
    </dl>
    <h3>Status history</h3>
    ${history(props.view.history)}
  </section>`;
}
