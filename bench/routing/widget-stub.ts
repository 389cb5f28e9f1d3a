// The bench bundles the Worker with wrangler (not Vite): the chat widget's virtual module is an empty script here.
export default "";
