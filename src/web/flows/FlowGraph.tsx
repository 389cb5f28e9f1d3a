/**
 * A read-only picture of a flow with React Flow: one node per action, arrows for the next
 * action, each condition and each error branch. Loaded on demand (it is the heaviest module
 * of the app), so no other screen pays for it.
 */
import { Background, Controls, MarkerType, Position, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import type { FlowContent } from "../lib/types";
import { actionSummary, flowEdges, layoutFlow } from "./flowModel";

const COLUMN_WIDTH = 340;
const ROW_HEIGHT = 150;

export default function FlowGraph({ content, problems }: { content: FlowContent; problems: ReadonlyMap<string, string[]> }) {
  const { nodes, edges } = useMemo(() => {
    const layout = layoutFlow(content);
    const ids = new Set(content.Actions.map((a) => a.Identifier));
    const nodes: Node[] = content.Actions.map((a) => {
      const pos = layout.get(a.Identifier) ?? { column: 0, row: 0 };
      const issues = problems.get(a.Identifier) ?? [];
      const start = a.Identifier === content.StartAction;
      const detail = actionSummary(a, 500);
      const problem = issues.length === 1 ? issues[0] : issues.length ? `${issues.length} problems` : "";
      return {
        id: a.Identifier,
        position: { x: pos.column * COLUMN_WIDTH, y: pos.row * ROW_HEIGHT },
        data: {
          label: (
            <div className="flow-node-body" title={[a.Identifier, a.Type, detail, ...issues].filter(Boolean).join("\n")}>
              <strong className="flow-node-id">{a.Identifier}</strong>
              <span className="flow-node-type">{a.Type}</span>
              {detail && <span className="flow-node-detail">{detail}</span>}
              {problem && <span className="flow-node-problem">{problem}</span>}
            </div>
          ),
        },
        className: `flow-node${start ? " start" : ""}${issues.length ? " has-problem" : ""}`,
        ariaLabel: `${start ? "Start: " : ""}${a.Identifier}, ${a.Type}${issues.length ? `, ${issues.length} problem(s)` : ""}`,
        sourcePosition: Position.Right,
        targetPosition: Position.Left,
        draggable: false,
        connectable: false,
      };
    });
    const edges: Edge[] = flowEdges(content)
      .filter((e) => ids.has(e.from) && ids.has(e.to))
      .map((e, i) => ({
        id: `${e.from}->${e.to}#${i}`,
        source: e.from,
        target: e.to,
        label: e.label || undefined,
        className: `flow-edge ${e.kind}`,
        markerEnd: { type: MarkerType.ArrowClosed },
        animated: false,
      }));
    return { nodes, edges };
  }, [content, problems]);

  return (
    <div className="flow-graph" data-testid="flow-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        proOptions={{ hideAttribution: false }}
        minZoom={0.2}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
