/** The widget's CSS, scoped by its shadow root. `--accent-value` / `--accent-text-value` are replaced with the tag's colours. */
export const STYLES = `
:host { all: initial; }
.sb { --accent: --accent-value; --accent-text: --accent-text-value; position: fixed; bottom: 20px; z-index: 2147483000;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; }
.sb.right { right: 20px; } .sb.left { left: 20px; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; background: var(--accent); color: var(--accent-text);
  font-size: 15px; font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); float: right; }
.sb.left .launcher { float: left; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.panel { width: min(360px, calc(100vw - 40px)); height: min(520px, calc(100vh - 110px)); margin-bottom: 12px; background: #fff;
  border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; }
.panel[hidden] { display: none; }
.head { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: var(--accent); color: var(--accent-text); }
.title { flex: 1; margin: 0; font-size: 16px; font-weight: 600; }
.head button { background: transparent; border: 1px solid currentColor; color: inherit; border-radius: 6px; cursor: pointer; padding: 2px 8px; font: inherit; }
.head .close { border: 0; font-size: 20px; line-height: 1; }
.greeting { margin: 10px 14px 0; color: #374151; }
.status { margin: 4px 14px; min-height: 1.2em; font-size: 12px; color: #4b5563; }
.status.problem { color: #b91c1c; font-size: 13px; font-weight: 600; }
.compose textarea:disabled, .compose .send:disabled { opacity: .55; cursor: not-allowed; }
.messages { list-style: none; margin: 0; padding: 8px 14px; flex: 1; overflow-y: auto; display: flex; flex-direction: column; gap: 6px; }
.msg { max-width: 80%; padding: 7px 10px; border-radius: 12px; background: #f3f4f6; align-self: flex-start; word-wrap: break-word; }
.msg .text { margin: 0; white-space: pre-wrap; }
.msg .name { display: block; font-size: 11px; font-weight: 600; color: #4b5563; }
.msg .meta { display: block; font-size: 11px; color: #6b7280; text-align: right; }
.msg.CUSTOMER { align-self: flex-end; background: var(--accent); color: var(--accent-text); }
.msg.CUSTOMER .meta { color: inherit; opacity: .8; }
.msg.SYSTEM { align-self: center; background: transparent; color: #4b5563; font-size: 12px; text-align: center; }
.msg.pending { opacity: .7; }
.typing { margin: 0 14px 4px; font-size: 12px; color: #4b5563; font-style: italic; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; padding: 8px 10px 0; }
.choices .choice { min-width: 36px; padding: 6px 10px; border: 1px solid var(--accent); border-radius: 8px; background: #fff; color: #111827; cursor: pointer; font: inherit; }
.choices .choice:hover, .choices .choice:focus-visible { background: var(--accent); color: var(--accent-text); }
.choices[hidden], .typing[hidden], .compose[hidden], .new[hidden], .retry[hidden], .head button[hidden] { display: none; }
.compose { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #e5e7eb; }
.compose textarea { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 8px; padding: 6px 8px; font: inherit; }
.compose .send, .new { background: var(--accent); color: var(--accent-text); border: 0; border-radius: 8px; padding: 0 14px; cursor: pointer; font: inherit; }
.new { margin: 10px; padding: 8px; }
`;
