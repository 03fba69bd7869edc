package trainer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// fileKind is one kind of sealed file: a first line "<magic> v<version>",
// one line of JSON and a last line "sha256 <hex of the JSON>". Models and
// checkpoints are sealed files.
type fileKind struct {
	magic   string
	version int    // written, and the newest read
	noun    string // "model", "checkpoint"
	redo    string // what to do about a damaged file
	notKind error  // the input is not this kind of file
	corrupt error  // truncated or changed
}

// modelFile is the kind of model files.
var modelFile = fileKind{Magic, Version, "model", "export the model again", ErrNotModel, ErrCorrupt}

// seal writes body to w as a file of kind k.
func (k fileKind) seal(w io.Writer, body []byte) error {
	sum := sha256.Sum256(body)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s v%d\n", k.magic, k.version)
	bw.Write(body)
	fmt.Fprintf(bw, "\nsha256 %s\n", hex.EncodeToString(sum[:]))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("trainer: writing the %s: %w", k.noun, err)
	}
	return nil
}

// unseal checks data as a file of kind k and returns its version and its
// JSON body.
func (k fileKind) unseal(data []byte) (version int, body []byte, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return 0, nil, fmt.Errorf("trainer: the %s file is empty", k.noun)
	}
	prefix := k.magic + " v"
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		if bytes.HasPrefix(data, []byte(k.magic)) {
			return 0, nil, fmt.Errorf("%w: it ends after the first line: %s", k.corrupt, k.redo)
		}
		nl = len(data)
	}
	header := string(data[:nl])
	if !strings.HasPrefix(header, prefix) {
		if len(header) > 40 {
			header = header[:40] + "…"
		}
		return 0, nil, fmt.Errorf("%w: the first line is %q, want %q", k.notKind, header, fmt.Sprintf("%s v%d", k.magic, k.version))
	}
	v, err := strconv.Atoi(header[len(prefix):])
	if err != nil || v < 1 {
		return 0, nil, fmt.Errorf("%w: bad version in the first line %q", k.notKind, header)
	}
	if v > k.version {
		return 0, nil, fmt.Errorf("trainer: %s version %d is newer than this somgraph (%d): upgrade", k.noun, v, k.version)
	}
	rest := data[nl+1:]
	const sumTag = "\nsha256 "
	i := bytes.LastIndex(rest, []byte(sumTag))
	if i < 0 {
		return 0, nil, fmt.Errorf("%w: no checksum line at the end: the file was cut short; %s", k.corrupt, k.redo)
	}
	body, sumLine := rest[:i], rest[i+len(sumTag):]
	sumLine = bytes.TrimSuffix(sumLine, []byte("\n"))
	want, err := hex.DecodeString(string(sumLine))
	if err != nil || len(want) != sha256.Size {
		return 0, nil, fmt.Errorf("%w: the checksum line is incomplete or malformed: %s", k.corrupt, k.redo)
	}
	if got := sha256.Sum256(body); !bytes.Equal(got[:], want) {
		return 0, nil, fmt.Errorf("%w: checksum mismatch (file says %x…, content hashes to %x…): the file was changed or damaged", k.corrupt, want[:4], got[:4])
	}
	return v, body, nil
}

// errNilReader is returned by the loaders given a nil reader.
var errNilReader = errors.New("trainer: load: nil reader")

// load reads all of r and parses it as a file of kind k (Load,
// LoadCheckpoint).
func load[T any](k fileKind, r io.Reader, parse func([]byte) (T, error)) (T, error) {
	var zero T
	if r == nil {
		return zero, errNilReader
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return zero, fmt.Errorf("trainer: reading the %s: %w", k.noun, err)
	}
	return parse(data)
}

// loadFile reads the file path and parses it, naming the file in a parse
// error (LoadFile, LoadCheckpointFile).
func loadFile[T any](path string, parse func([]byte) (T, error)) (T, error) {
	var zero T
	data, err := os.ReadFile(path)
	if err != nil {
		return zero, fmt.Errorf("trainer: %w", err)
	}
	v, err := parse(data)
	if err != nil {
		return zero, fmt.Errorf("%w (file %s)", err, path)
	}
	return v, nil
}
