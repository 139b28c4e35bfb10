// The simulation worker: runs ringwise.simulate (or compare, in the full
// module) off the page's thread, so the page stays responsive, and posts
// progress between runs.
// The page cancels a run by terminating the worker.
//
// Messages in:  {id, op: "simulate", "compare" or "warm", module, files, base, scenario, options}
//               (module: a compiled WebAssembly.Module in the first
//               message, which starts it; null in later ones)
// Messages out: {type: "progress", id, done, total}, {type: "result", id, result}
import { start } from "./runtime.js";

let api = null;

// Messages are handled one after the other: starting the module is
// asynchronous, and a run that arrives meanwhile waits for it.
let queue = Promise.resolve();
self.onmessage = (e) => {
  queue = queue.then(() => handle(e.data));
};

async function handle({ id, op, module, files, base, scenario, options }) {
  try {
    if (module) api = await start(module); // the first message of a worker
    if (!api) throw new Error("the worker got no module");
    if (op === "warm") return; // started ahead of the first run
    let last = 0;
    const progress = (done, total) => {
      // At most about 100 messages, and always the last.
      if (done === total || done - last >= total / 100) {
        last = done;
        self.postMessage({ type: "progress", id, done, total });
      }
    };
    const result = op === "compare"
      ? api.compare(base, files, scenario, options, progress)
      : api.simulate(files, scenario, options, progress);
    self.postMessage({ type: "result", id, result });
  } catch (err) {
    self.postMessage({ type: "result", id, result: { error: String(err && err.message || err) } });
  }
}
