//go:build !unix

package main

import "os"

// pause does nothing where there is no SIGSTOP: the process runs on.
func pause(p *os.Process) error { return nil }

// resume does nothing where there is no SIGCONT.
func resume(p *os.Process) error { return nil }
