//go:build unix

package servicetest

import (
	"os/exec"
	"syscall"
)

// setProcessGroup gives the component its own process group, so Stop
// kills its children too, and on Linux asks the kernel to kill it when
// the test binary dies (a panic, or go test's -timeout), so a hung run
// leaves no Redis or workerd behind.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
