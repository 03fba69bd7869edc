package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Output paths are checked before any work (reading data, training), so a
// typo costs nothing: a file output must not be an existing directory, a
// folder output not an existing file, and the folder that is to hold
// either must exist as a writable directory or be creatable.

// checkOutFile checks the file output of --flag (path "" or "-" is
// standard output or off); example names a file to suggest inside path
// when path is a directory.
func checkOutFile(flag, path, example string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("--%s %s is a directory: name a file, for example --%s %s", flag, path, flag, filepath.Join(path, example))
	}
	return checkFolder(flag, path, filepath.Dir(path))
}

// checkOutDir checks the folder output of --flag.
func checkOutDir(flag, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		return usagef("--%s %s is a file, not a folder: name a folder for the charts", flag, path)
	}
	return checkFolder(flag, path, path)
}

// checkFolder checks that dir, the folder of --flag's path, is a writable
// directory or can be created: its nearest existing ancestor must be a
// directory we can write in.
func checkFolder(flag, path, dir string) error {
	for {
		fi, err := os.Stat(dir)
		switch {
		case err == nil && !fi.IsDir():
			return usagef("--%s %s: %s is a file, so no folder can be made there", flag, path, dir)
		case err == nil:
			probe, err := os.CreateTemp(dir, ".somgraph-probe-*")
			if err != nil {
				return usagef("--%s %s: cannot write in %s: %v", flag, path, dir, errors.Unwrap(err))
			}
			probe.Close()
			os.Remove(probe.Name())
			return nil
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return usagef("--%s %s: %v", flag, path, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return usagef("--%s %s: no folder of it exists", flag, path)
		}
		dir = parent
	}
}
