/** The chat widget's minified source, provided by the Vite plugin in scripts/widget.mjs. */
declare module "virtual:switchboard-chat-widget" {
  const source: string;
  export default source;
}
