package servicetest

import "syscall"

// setDeathSignal: Pdeathsig fires when the thread that started the child
// exits, not the process; Go keeps its threads for the life of the
// process unless a goroutine exits while locked to one, which the
// starters never do.
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
