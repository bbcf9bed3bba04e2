// Loads the core-only module (env/firedrill_env.js, the environment with
// the PromQL engine and the JS API) once, for the app's PromQL console and
// the embed protocol's queries, and exposes it as window.firedrill.
// Imported by the app's wasm (src/web/app/lab.rs) as a wasm-bindgen snippet.
let loading = null;

export function loadEnvModule() {
  if (!loading) {
    const url = new URL("env/firedrill_env.js", document.baseURI).href;
    loading = import(url).then(async (module) => {
      await module.default();
      window.firedrill = module;
      window.dispatchEvent(new CustomEvent("firedrill:ready"));
      return module;
    });
    loading.catch(() => { loading = null; });
  }
  return loading;
}
