/**
 * The flow designer (React Flow): the palette, the canvas and the selected block's form. Every
 * edit is a new flow content handed to `onChange` (the editor keeps it as its JSON, so the
 * graph and the JSON are one value, and undo is the editor's history). Loaded on demand: it is
 * the heaviest module of the app, so no other screen pays for it.
 */
import { Background, Controls, MarkerType, ReactFlow, ReactFlowProvider, useReactFlow, type Connection, type Edge, type EdgeChange, type NodeChange, type OnConnectEnd, type OnDelete } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useMemo, useState, type DragEvent, type KeyboardEvent } from "react";
import type { CatalogueEntry, FlowActionCatalogue } from "../../shared/flow-catalogue";
import { api } from "../lib/api";
import type { FlowContent } from "../lib/types";
import { useCollection, useData } from "../lib/useData";
import { autoLayout } from "./autoLayout";
import { BlockForm, type Choices } from "./BlockForm";
import { BlockNode, type BlockNodeType } from "./BlockNode";
import { BlockPalette, DRAG_TYPE } from "./BlockPalette";
import { addAction, branchesOf, connect, positionsOf, removeActions, setConditionValues, setParameter, setParameters, setStart, withPositions, type Position } from "./designerModel";
import { layoutFlow } from "./flowModel";

export type History = { canUndo: boolean; canRedo: boolean; undo: () => void; redo: () => void };
type Props = {
  content: FlowContent;
  problems: ReadonlyMap<string, string[]>;
  editable: boolean;
  /** A new content; edits sharing a `coalesce` key one after another make one undo step (typing in a field). */
  onChange: (content: FlowContent, coalesce?: string) => void;
  history: History;
};

const NODE_TYPES = { block: BlockNode };
const named = (rows: { id: string; name: string }[] | undefined) => (rows ?? []).map((r) => ({ value: r.id, label: r.name }));

export default function FlowDesigner(props: Props) {
  return (
    <ReactFlowProvider>
      <Designer {...props} />
    </ReactFlowProvider>
  );
}

function Designer({ content, problems, editable, onChange, history }: Props) {
  const catalogue = useData(() => api.get<FlowActionCatalogue>("/flows/actions"), []);
  const entries = useMemo(() => catalogue.data?.items ?? [], [catalogue.data]);
  const byType = useMemo(() => new Map(entries.map((e) => [e.type, e])), [entries]);
  const queues = useCollection<{ id: string; name: string }>("/queues", editable);
  const hours = useCollection<{ id: string; name: string }>("/hours-of-operation", editable);
  const flows = useCollection<{ id: string; name: string }>("/flows", editable);
  const views = useCollection<{ id: string; arn: string; name: string }>("/views", editable);
  const choices: Choices = useMemo(
    () => ({ queue: named(queues.data), hours: named(hours.data), flow: named(flows.data), view: (views.data ?? []).map((v) => ({ id: v.id, value: v.arn, label: v.name })) }),
    [queues.data, hours.data, flows.data, views.data],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const [drag, setDrag] = useState<{ id: string; position: Position } | null>(null);
  const { screenToFlowPosition, fitView } = useReactFlow();

  // Positions from the flow's Metadata; blocks without one (typed into the JSON, or a flow
  // written without positions) go on a grid until a block is moved or added.
  const positions = useMemo(() => {
    const given = positionsOf(content);
    const grid = layoutFlow(content);
    return new Map(content.Actions.map((a) => {
      const g = grid.get(a.Identifier) ?? { column: 0, row: 0 };
      return [a.Identifier, given.get(a.Identifier) ?? { x: g.column * 320, y: g.row * 170 }];
    }));
  }, [content]);

  const ids = useMemo(() => new Set(content.Actions.map((a) => a.Identifier)), [content]);
  const nodes: BlockNodeType[] = content.Actions.map((a) => {
    const issues = problems.get(a.Identifier) ?? [];
    const start = a.Identifier === content.StartAction;
    const entry = byType.get(a.Type);
    return {
      id: a.Identifier,
      type: "block",
      position: drag?.id === a.Identifier ? drag.position : positions.get(a.Identifier)!,
      data: { action: a, entry, branches: branchesOf(a, entry), issues, start, editable },
      className: `flow-node${start ? " start" : ""}${issues.length ? " has-problem" : ""}`,
      ariaLabel: `${start ? "Start: " : ""}${a.Identifier}, ${a.Type}${issues.length ? `, ${issues.length} problem(s)` : ""}`,
      selected: selected === a.Identifier,
      draggable: editable,
      connectable: editable,
      deletable: editable,
    };
  });
  const edges: Edge[] = content.Actions.flatMap((a) =>
    branchesOf(a, byType.get(a.Type))
      .filter((b) => b.target && ids.has(b.target))
      .map((b) => {
        const id = `${a.Identifier}|${b.handle}`;
        return {
          id, source: a.Identifier, sourceHandle: b.handle, target: b.target!, targetHandle: "in",
          label: b.label === "Success" ? undefined : b.label, className: `flow-edge ${b.kind}`,
          markerEnd: { type: MarkerType.ArrowClosed }, selected: selectedEdge === id, deletable: editable,
        };
      }),
  );

  const onNodesChange = useCallback((changes: NodeChange<BlockNodeType>[]) => {
    for (const c of changes) {
      if (c.type === "position" && c.dragging && c.position) setDrag({ id: c.id, position: c.position });
      if (c.type === "select") setSelected((s) => (c.selected ? c.id : s === c.id ? null : s));
    }
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    for (const c of changes) if (c.type === "select") setSelectedEdge((s) => (c.selected ? c.id : s === c.id ? null : s));
  }, []);
  const onDelete: OnDelete = ({ nodes: gone, edges: cut }) => {
    let next = content;
    for (const e of cut) {
      const [source, handle] = e.id.split("|");
      next = connect(next, source, handle, null);
    }
    next = removeActions(next, gone.map((n) => n.id));
    if (gone.some((n) => n.id === selected)) setSelected(null);
    setSelectedEdge(null);
    onChange(next);
  };
  const onConnect = (c: Connection) => onChange(connect(content, c.source, c.sourceHandle ?? "next", c.target));
  // A branch dropped anywhere on a block (not only on its handle) goes to that block.
  const onConnectEnd: OnConnectEnd = (event, state) => {
    if (state.isValid || !state.fromNode || !state.fromHandle?.id || state.fromHandle.type !== "source") return;
    const point = "changedTouches" in event ? event.changedTouches[0] : event;
    const target = document.elementFromPoint(point.clientX, point.clientY)?.closest(".react-flow__node")?.getAttribute("data-id");
    if (target && ids.has(target)) onChange(connect(content, state.fromNode.id, state.fromHandle.id, target));
  };

  const add = (entry: CatalogueEntry, at: Position) => {
    // Blocks shown on the grid (no position in the flow yet) keep their place from now on.
    const out = addAction(withPositions(content, positions), entry, at);
    onChange(out.content);
    setSelected(out.id);
  };
  const addBeside = (entry: CatalogueEntry) => {
    const xs = [...positions.values()];
    const from = (selected && positions.get(selected)) || xs[xs.length - 1];
    add(entry, from ? { x: from.x + 300, y: from.y } : { x: 0, y: 0 });
  };
  const onDragOver = (e: DragEvent) => {
    if (!editable || !e.dataTransfer.types.includes(DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  };
  const onDrop = (e: DragEvent) => {
    const entry = byType.get(e.dataTransfer.getData(DRAG_TYPE));
    if (!editable || !entry) return;
    e.preventDefault();
    add(entry, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!(e.ctrlKey || e.metaKey) || (e.target as HTMLElement).closest("input, textarea, select")) return;
    const key = e.key.toLowerCase();
    if (key === "z" && !e.shiftKey) history.undo();
    else if ((key === "z" && e.shiftKey) || key === "y") history.redo();
    else return;
    e.preventDefault();
  };
  const layout = () => {
    onChange(autoLayout(content));
    requestAnimationFrame(() => void fitView({ padding: 0.1 }));
  };

  const action = content.Actions.find((a) => a.Identifier === selected);
  const edit = (next: FlowContent, coalesce?: string) => onChange(next, coalesce);
  return (
    <div className="flow-designer" onKeyDown={onKeyDown}>
      {editable && <BlockPalette catalogue={entries} onAdd={addBeside} disabled={!catalogue.data} />}
      <div className="flow-designer-main">
        <div className="flow-toolbar" role="toolbar" aria-label="Designer">
          <button type="button" onClick={history.undo} disabled={!editable || !history.canUndo} aria-keyshortcuts="Control+Z">Undo</button>
          <button type="button" onClick={history.redo} disabled={!editable || !history.canRedo} aria-keyshortcuts="Control+Shift+Z">Redo</button>
          <button type="button" onClick={layout} disabled={!editable || content.Actions.length === 0}>Auto-layout</button>
          {catalogue.error && <span className="field-error" role="alert">{catalogue.error}</span>}
        </div>
        <div className="flow-graph" data-testid="flow-graph" onDragOver={onDragOver} onDrop={onDrop}>
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onNodeDragStop={(_, n) => (setDrag(null), onChange(withPositions(content, new Map([...positions, [n.id, n.position]]))))}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            onDelete={onDelete}
            deleteKeyCode={editable ? ["Delete", "Backspace"] : null}
            multiSelectionKeyCode={null}
            selectionKeyCode={null}
            nodesDraggable={editable}
            nodesConnectable={editable}
            elementsSelectable
            fitView
            fitViewOptions={{ maxZoom: 1, padding: 0.15 }}
            minZoom={0.2}
            proOptions={{ hideAttribution: false }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
          {content.Actions.length === 0 && <p className="flow-empty">The canvas is empty: drag a block here from the palette.</p>}
        </div>
      </div>
      {action && (
        <BlockForm
          key={action.Identifier}
          action={action}
          entry={byType.get(action.Type)}
          issues={problems.get(action.Identifier) ?? []}
          start={action.Identifier === content.StartAction}
          choices={choices}
          blocks={content.Actions.map((a) => a.Identifier)}
          editable={editable}
          onParameter={(name, value) => edit(setParameter(content, action.Identifier, name, value), `${action.Identifier}:${name}`)}
          onParameters={(params) => edit(setParameters(content, action.Identifier, params), `${action.Identifier}:Parameters`)}
          onConditionValues={(values) => edit(setConditionValues(content, action.Identifier, values), `${action.Identifier}:Conditions`)}
          onBranch={(handle, target) => edit(connect(content, action.Identifier, handle, target))}
          onSetStart={() => edit(setStart(content, action.Identifier))}
          onDelete={() => (setSelected(null), edit(removeActions(content, [action.Identifier])))}
        />
      )}
    </div>
  );
}
