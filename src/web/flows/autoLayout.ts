/** Auto-layout: dagre places the blocks left to right in layers along their branches. */
import dagre from "@dagrejs/dagre";
import type { FlowContent } from "../lib/types";
import { branchesOf, withPositions, type Position } from "./designerModel";

export const BLOCK_WIDTH = 240;
export const BLOCK_HEIGHT = 140;

export function autoLayout(content: FlowContent): FlowContent {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(content.Actions.map((a) => a.Identifier));
  for (const id of ids) g.setNode(id, { width: BLOCK_WIDTH, height: BLOCK_HEIGHT });
  for (const a of content.Actions) {
    for (const b of branchesOf(a)) if (b.target && ids.has(b.target) && b.target !== a.Identifier) g.setEdge(a.Identifier, b.target);
  }
  dagre.layout(g);
  const positions = new Map<string, Position>();
  // dagre gives centres; React Flow and Amazon Connect keep a block's top-left corner.
  for (const id of ids) {
    const n = g.node(id);
    positions.set(id, { x: n.x - BLOCK_WIDTH / 2, y: n.y - BLOCK_HEIGHT / 2 });
  }
  return withPositions(content, positions);
}
