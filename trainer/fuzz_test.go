package trainer

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzLoad checks that Load never panics, that its errors are trainer
// errors, and that whatever it accepts is a usable model that exports back
// to a file Load reads identically. Each input is tried as a whole file and,
// so that the fuzzer gets past the checksum, as the JSON line of a file
// with a correct header and checksum.
func FuzzLoad(f *testing.F) {
	good := exported(f, trained(f, Options{Seed: 1}))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:len(good)-3])
	f.Add([]byte(strings.Split(string(good), "\n")[1]))
	f.Add([]byte(""))
	f.Add([]byte("somgraph-model v1\n"))
	f.Add([]byte("somgraph-model v9\n{}\nsha256 00\n"))
	f.Add([]byte(`{"version":1,"grid":{"rows":1,"cols":1,"topology":"rect"},"dim":1,"distance":"euclidean","neighborhood":"gaussian","dtype":"float64","training":{"mode":"batch","batch_size":1,"alpha":1,"sigma":1,"init":"pca"},"weights":[[0.5]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLoad(t, data)
		checkLoad(t, withChecksum("somgraph-model v1", string(data)))
	})
}

func checkLoad(t *testing.T, data []byte) {
	m, err := Load(bytes.NewReader(data))
	if err != nil {
		if !strings.HasPrefix(err.Error(), "trainer: ") {
			t.Fatalf("error %q does not start with \"trainer: \"", err)
		}
		return
	}
	if len(m.Weights) != m.Config.Grid.Units()*m.Config.Dim {
		t.Fatalf("accepted %d weights for %d×%d", len(m.Weights), m.Config.Grid.Units(), m.Config.Dim)
	}
	if m.Config.Grid.Units() <= 256 {
		if _, err := m.Map(); err != nil {
			t.Fatalf("accepted model does not build a map: %v", err)
		}
	}
	var b bytes.Buffer
	if err := m.Export(&b); err != nil {
		t.Fatalf("accepted model does not export: %v", err)
	}
	m2, err := Load(&b)
	if err != nil {
		t.Fatalf("re-exported model does not load: %v", err)
	}
	if m2.Config != m.Config || !slices.Equal(m2.Weights, m.Weights) {
		t.Fatal("re-exported model differs")
	}
}

// FuzzLoadCheckpoint checks that LoadCheckpoint never panics, that its
// errors are trainer errors, and that whatever it accepts exports back to
// a file it reads identically. Each input is tried as a whole file and as
// the JSON line of a sealed checkpoint.
func FuzzLoadCheckpoint(f *testing.F) {
	path, _, _ := checkpointOf(f)
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(strings.Split(string(good), "\n")[1]))
	f.Add([]byte(""))
	f.Add([]byte("somgraph-checkpoint v1\n"))
	f.Add(exported(f, trained(f, Options{Seed: 1})))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, withChecksum("somgraph-checkpoint v1", string(data))} {
			ck, err := LoadCheckpoint(bytes.NewReader(in))
			if err != nil {
				if !strings.HasPrefix(err.Error(), "trainer: ") {
					t.Fatalf("error %q does not start with \"trainer: \"", err)
				}
				continue
			}
			var b bytes.Buffer
			if err := ck.Export(&b); err != nil {
				t.Fatalf("accepted checkpoint does not export: %v", err)
			}
			ck2, err := LoadCheckpoint(&b)
			if err != nil {
				t.Fatalf("re-exported checkpoint does not load: %v", err)
			}
			if ck2.Done != ck.Done || ck2.Epochs != ck.Epochs || !slices.Equal(ck2.Model.Weights, ck.Model.Weights) {
				t.Fatal("re-exported checkpoint differs")
			}
		}
	})
}
