// An esbuild plugin: commander requires node:child_process at load time (for
// executable subcommands, which tidemark does not use), and child_process
// drags in net and stream — ~18 ms of every start. Commander gets a stand-in
// that loads the real module on first use.
const LAZY = /^(node:)?child_process$/;

export const lazyBuiltins = {
  name: "lazy-builtins",
  setup(build) {
    build.onResolve({ filter: LAZY }, (args) => {
      if (args.namespace === "lazy-builtin") return { path: args.path, external: true };
      return { path: args.path, namespace: "lazy-builtin" };
    });
    build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
      loader: "js",
      contents: [
        "let real;",
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        "module.exports = new Proxy({}, {",
        "  get: (_, key) => load()[key],",
        "  has: (_, key) => key in load(),",
        "  ownKeys: () => Reflect.ownKeys(load()),",
        "  getOwnPropertyDescriptor: (_, key) => Object.getOwnPropertyDescriptor(load(), key),",
        "});",
      ].join("\n"),
    }));
  },
};
