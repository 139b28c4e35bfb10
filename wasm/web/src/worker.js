// The simulation worker: runs ringwise.simulate off the page's thread, so
// the page stays responsive, and posts progress between Monte Carlo runs.
// The page cancels a run by terminating the worker.
//
// Messages in:  {type: "run", id, module, files, scenario, options}
//               (module: a compiled WebAssembly.Module; the first run
//               starts it, later runs reuse it)
// Messages out: {type: "progress", id, done, total}, {type: "result", id, result}
import { start } from "./runtime.js";

let api = null;
let started = null;

self.onmessage = async (e) => {
  const { id, module, files, scenario, options } = e.data;
  try {
    if (!api || started !== module) {
      api = await start(module);
      started = module;
    }
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
