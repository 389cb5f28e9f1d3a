/**
 * One block on the designer's canvas: its identifier, type and main parameter, its problems
 * from the last save, a handle on the left to arrive at and one handle per branch on the right
 * to drag a connection from.
 */
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { CatalogueEntry } from "../../shared/flow-catalogue";
import type { FlowAction } from "../lib/types";
import type { Branch } from "./designerModel";
import { actionSummary } from "./flowModel";

export type BlockData = {
  action: FlowAction;
  entry: CatalogueEntry | undefined;
  branches: Branch[];
  issues: string[];
  start: boolean;
  editable: boolean;
};
export type BlockNodeType = Node<BlockData, "block">;

function BlockNodeView({ data }: NodeProps<BlockNodeType>) {
  const { action: a, entry, branches, issues, editable } = data;
  const detail = actionSummary(a, 500);
  const problem = issues.length === 1 ? issues[0] : issues.length ? `${issues.length} problems` : "";
  return (
    <>
      <Handle type="target" position={Position.Left} id="in" className="flow-node-in" isConnectable={editable} title={`Drop a branch here to go to ${a.Identifier}`} />
      <div className="flow-node-body" title={[a.Identifier, a.Type, detail, ...issues].filter(Boolean).join("\n")}>
        <strong className="flow-node-id">{a.Identifier}</strong>
        <span className="flow-node-type">{entry && entry.label !== a.Type ? `${entry.label} · ${a.Type}` : a.Type}</span>
        {detail && <span className="flow-node-detail">{detail}</span>}
        {problem && <span className="flow-node-problem">{problem}</span>}
      </div>
      {branches.length > 0 && (
        <ul className="flow-node-branches" aria-label={`Branches of ${a.Identifier}`}>
          {branches.map((b) => (
            <li key={b.handle} className={`flow-branch ${b.kind}${b.target ? "" : " open"}`}>
              <span className="flow-branch-label">{b.label}</span>
              <Handle type="source" position={Position.Right} id={b.handle} isConnectable={editable} title={`Drag to connect branch ${b.label} of ${a.Identifier}`} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export const BlockNode = memo(BlockNodeView);
