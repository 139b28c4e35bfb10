// The simulation worker: runs ringwise.simulate off the page's thread, so
// the page stays responsive, and posts progress between Monte Carlo runs.
// The page cancels a run by terminating the worker.
//
// Messages in:  {id, module, files, scenario, options}
//               (module: a compiled WebAssembly.Module in the first
//               message, which starts it; null in later ones)
// Messages out: {type: "progress", id, done, total}, {type: "result", id, result}
import { start } from "./runtime.js";

let api = null;

self.onmessage = async (e) => {
  const { id, module, files, scenario, options } = e.data;
  try {
    if (module) api = await start(module); // the first message of a worker
    if (!api) throw new Error("the worker got no module");
    let last = 0;
    const result = api.simulate(files, scenario, options, (done, total) => {
      // At most about 100 messages, and always the last.
      if (done === total || done - last >= total / 100) {
        last = done;
        self.postMessage({ type: "progress", id, done, total });
      }
    });
    self.postMessage({ type: "result", id, result });
  } catch (err) {
    self.postMessage({ type: "result", id, result: { error: String(err && err.message || err) } });
  }
};
