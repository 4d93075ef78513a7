// The edge gate's main module. Deploy it with crumb-worker.mjs (from
// wasm/worker), Go's wasm_exec.js (from $(go env GOROOT)/lib/wasm/ of
// the Go that built gate.wasm) and gate.wasm.
import { crumbWorker } from "./crumb-worker.mjs";
import mod from "./gate.wasm";

export default crumbWorker(mod);
