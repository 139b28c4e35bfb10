// Starting Go programs compiled to WebAssembly. Each module registers
// globalThis.ringwise when it starts; start returns that object and leaves
// the global to whoever starts the next module.
import "wasm_exec"; // defines globalThis.Go (Go's own wasm_exec.js)

// compile fetches and compiles a module, streaming where the server sends
// application/wasm. onBytes(received, total) reports the download.
export async function compile(url, onBytes) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  if (!onBytes || !res.body) return WebAssembly.compileStreaming(res);
  const total = Number(res.headers.get("content-length")) || 0;
  let received = 0;
  const counted = res.body.pipeThrough(new TransformStream({
    transform(chunk, c) {
      received += chunk.byteLength;
      onBytes(received, total);
      c.enqueue(chunk);
    },
  }));
  return WebAssembly.compileStreaming(new Response(counted, { headers: { "content-type": "application/wasm" } }));
}

// start instantiates a compiled module and runs its main, which registers
// globalThis.ringwise and then waits for calls.
export async function start(module) {
  const go = new globalThis.Go();
  const instance = await WebAssembly.instantiate(module, go.importObject);
  go.run(instance); // resolves only when the program exits, which it never does
  const api = globalThis.ringwise;
  if (!api) throw new Error("the module did not register globalThis.ringwise");
  return api;
}
