//go:build !unix

package main

import "os"

// pause does nothing where there is no SIGSTOP: the process runs on.
func pause(p *os.Process) error { return nil }

// resume does nothing where there is no SIGCONT.
func resume(p *os.Process) error { return nil }

// interruptSelf cannot send Ctrl-C to the test process here.
func interruptSelf() error { return errNoSelfSignal }

// setUmask has no umask to set here; it returns -1.
func setUmask(int) int { return -1 }
