// Package atomicfile writes files so that a reader never sees half of one:
// the data goes to a temporary file in the same folder, which is synced and
// then renamed over the target.
//
// The file gets the permissions a plain os.WriteFile(path, data, 0o644)
// would give it: the mode asked for, less the process's umask. (A file made
// by os.CreateTemp is 0600 whatever the umask, which hid models and charts
// from other users.)
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// counter makes temporary names unique within the process; the time and
// the pid make them unique across processes.
var counter atomic.Uint64

// Write writes data to path atomically with permissions perm less the
// umask. On error path is left as it was and no temporary file remains.
func Write(path string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, tmp, err := create(dir, "."+base+".tmp-", perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil { // persist the rename; best effort
		d.Sync()
		d.Close()
	}
	return nil
}

// create makes a new file dir/prefix<unique> with mode perm (the kernel
// applies the umask, as for any file created with open(2)).
func create(dir, prefix string, perm fs.FileMode) (*os.File, string, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.Itoa(os.Getpid())+"-"+
			strconv.FormatInt(time.Now().UnixNano(), 36)+"-"+strconv.FormatUint(counter.Add(1), 36))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == 100 {
			return nil, "", err
		}
	}
}
