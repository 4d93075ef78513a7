package worker

import (
	"embed"
	"io/fs"
)

// Protocol is the version of the contract between the JavaScript shim
// (crumb-worker.mjs) and this package: the frames, the globals they
// share and the settings the shim hands over. Each side announces its
// own and refuses to serve with another, so a shim copied from one
// crumb version next to a module built with another fails with both
// versions named (on the console) instead of misreading frames. It
// changes whenever either side would misread the other.
const Protocol = 2

//go:embed crumb-worker.mjs
var files embed.FS

// Files returns the JavaScript a Workers deployment of a module built
// with this package needs besides the compiler's own wasm_exec.js:
// crumb-worker.mjs, the shim of exactly this crumb version. Tools that
// write a worker project (cmd/crumb-edge) copy it from here, so the
// shim always matches the Go code it is built with.
func Files() fs.FS { return files }
