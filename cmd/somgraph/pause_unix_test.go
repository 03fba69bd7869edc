//go:build unix

package main

import (
	"os"
	"syscall"
)

// pause stops p (SIGSTOP) until resume; a signal sent meanwhile is
// delivered when it continues.
func pause(p *os.Process) error { return p.Signal(syscall.SIGSTOP) }

// resume continues a process stopped by pause (SIGCONT).
func resume(p *os.Process) error { return p.Signal(syscall.SIGCONT) }
