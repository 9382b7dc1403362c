// The model graph (issue 17 item 4) with cytoscape and its dagre layout: one node per
// application (its units aggregated: a 10,000-unit model is still a handful of nodes), relations
// as edges labelled endpoint:interface, subordinates pulled tight beside their principals.
// Updates change node data in place; the layout runs again only when nodes or edges come or go.
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import type { ApplicationNode, DrawnGraph, GraphView, RelationEdge } from '../types.js';
import { COLOURS } from './colours.js';

cytoscape.use(dagre);

const MAX_FIT_ZOOM = 1.3;
/** How far below its principals a subordinate sits: clear of their labels. */
const SUBORDINATE_DROP = 90;

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-halign': 'center',
      'background-color': 'data(colour)',
      color: '#fff',
      'font-size': 13,
      'font-weight': 'bold',
      'text-outline-width': 0,
      shape: 'round-rectangle',
      width: 150,
      height: 56,
      'border-width': 2,
      'border-color': '#1b1f24',
    },
  },
  {
    selector: 'node.subordinate',
    style: { width: 120, height: 40, shape: 'round-tag', 'font-size': 11 },
  },
  { selector: 'node:selected', style: { 'border-color': '#3b82f6', 'border-width': 4 } },
  {
    selector: 'edge',
    style: {
      label: 'data(label)',
      'curve-style': 'bezier',
      width: 2,
      'line-color': '#9aa4b2',
      'font-size': 11,
      color: '#d6dde6',
      'text-background-color': '#1b1f24',
      'text-background-opacity': 0.85,
      'text-background-padding': '2px',
      'text-rotation': 'autorotate',
    },
  },
  {
    selector: 'edge.subordinate',
    style: { width: 5, 'line-style': 'solid', 'line-color': '#cbd5e1' },
  },
  {
    selector: 'edge.peer',
    style: { 'line-style': 'dashed', 'loop-direction': '0deg', 'loop-sweep': '-60deg' },
  },
];

function nodeData(a: ApplicationNode) {
  const units = `${a.units} unit${a.units === 1 ? '' : 's'}`;
  return {
    id: a.name,
    label: `${a.name}\n${units} · ${a.worst}`,
    units: a.units,
    worst: a.worst,
    health: a.health,
    colour: COLOURS[a.health],
  };
}

/** `certificates:tls-certificates`: the requirer's endpoint names what the link is for (the
 * provider's endpoint is in the application's panel). */
export function edgeLabel(r: RelationEdge): string {
  return `${r.requirer.endpoint}:${r.interface}`;
}

export class ModelGraph {
  private readonly cy: cytoscape.Core;

  constructor(container: HTMLElement, onSelect: (application: string | undefined) => void) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      minZoom: 0.2,
      maxZoom: 3,
      boxSelectionEnabled: false,
    });
    this.cy.on('tap', 'node', (e) => onSelect((e.target as cytoscape.NodeSingular).id()));
    // The page's layout settles after the first draw: fit the graph to the space it got.
    new ResizeObserver(() => {
      this.cy.resize();
      this.fit();
    }).observe(container);
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) onSelect(undefined);
    });
  }

  update(view: GraphView): void {
    let changed = false;
    const nodes = new Set(view.applications.map((a) => a.name));
    const edges = new Set(view.relations.map((r) => `rel-${r.id}`));
    this.cy.batch(() => {
      this.cy.elements().forEach((el) => {
        if (!(el.isNode() ? nodes : edges).has(el.id())) {
          el.remove();
          changed = true;
        }
      });
      for (const a of view.applications) {
        const existing = this.cy.getElementById(a.name);
        if (existing.nonempty()) existing.data(nodeData(a));
        else {
          this.cy.add({
            group: 'nodes',
            data: nodeData(a),
            classes: a.subordinateTo ? 'subordinate' : '',
          });
          changed = true;
        }
      }
      for (const r of view.relations) {
        if (this.cy.getElementById(`rel-${r.id}`).nonempty()) continue;
        this.cy.add({
          group: 'edges',
          data: {
            id: `rel-${r.id}`,
            source: r.provider.application,
            target: r.requirer.application,
            label: edgeLabel(r),
          },
          classes: r.type,
        });
        changed = true;
      }
    });
    if (changed) this.layout();
  }

  private layout(): void {
    this.cy
      .layout({
        name: 'dagre',
        rankDir: 'LR',
        nodeSep: 70,
        rankSep: 110,
        // A subordinate's link weighs most, so dagre keeps it next to its principal.
        edgeWeight: (e: cytoscape.EdgeSingular) => (e.hasClass('subordinate') ? 10 : 1),
        fit: false,
        stop: () => {
          this.placeSubordinates();
          this.fit();
        },
      } as cytoscape.LayoutOptions)
      .run();
  }

  /** A subordinate's units live beside its principals' (DESIGN §1): its node goes just below
   * them, between them when there are several, rather than in a rank of its own. */
  private placeSubordinates(): void {
    this.cy.nodes('.subordinate').forEach((sub) => {
      const principals = sub
        .connectedEdges('.subordinate')
        .connectedNodes()
        .filter((n) => n.id() !== sub.id() && !n.hasClass('subordinate'))
        .nodes();
      if (principals.empty()) return;
      const xs = principals.map((p) => p.position('x'));
      const ys = principals.map((p) => p.position('y'));
      sub.position({
        x: xs.reduce((a, b) => a + b, 0) / xs.length,
        y: Math.max(...ys) + SUBORDINATE_DROP,
      });
    });
  }

  /** The whole graph in view, but a small model not blown up past its natural size. */
  private fit(): void {
    this.cy.fit(undefined, 40);
    if (this.cy.zoom() > MAX_FIT_ZOOM) {
      this.cy.zoom(MAX_FIT_ZOOM);
      this.cy.center();
    }
  }

  select(application: string | undefined): void {
    this.cy.nodes().unselect();
    if (application !== undefined) this.cy.getElementById(application).select();
  }

  position(application: string): { x: number; y: number } | undefined {
    const n = this.cy.getElementById(application);
    return n.nonempty() ? n.renderedPosition() : undefined;
  }

  drawn(): DrawnGraph {
    return {
      nodes: this.cy.nodes().map((n) => ({
        id: n.id(),
        units: n.data('units') as number,
        worst: n.data('worst') as string,
        health: n.data('health') as string,
        colour: n.data('colour') as string,
        drawnColour: n.style('background-color') as string,
      })),
      edges: this.cy.edges().map((e) => ({
        source: e.source().id(),
        target: e.target().id(),
        label: e.data('label') as string,
      })),
    };
  }
}
