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

// interruptSelf sends Ctrl-C (SIGINT) to the test process, whose command
// under test catches it.
func interruptSelf() error { return syscall.Kill(os.Getpid(), syscall.SIGINT) }

// setUmask sets the process's umask and returns the previous one.
func setUmask(mask int) int { return syscall.Umask(mask) }
