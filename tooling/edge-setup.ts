// The edge project hides Node's globals that vitest leaves in the edge-runtime VM, so code under test that
// reaches for them fails here as it would in a browser or an edge runtime.
for (const name of ['Buffer', 'require', 'setImmediate', 'clearImmediate', 'global']) {
  Reflect.deleteProperty(globalThis, name);
}
