package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/somgraph/somgraph/trainer"
)

func TestMain(m *testing.M) {
	slog.SetLogLoggerLevel(slog.LevelWarn)
	ptest.Main(m)
}

// parse returns the flags of a command line, on a fresh flag set.
func parse(t *testing.T, args ...string) *flags {
	t.Helper()
	fs := flag.NewFlagSet("somgraph-beam", flag.ContinueOnError)
	f := define(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f
}

func shards(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for k, n := range []int{40, 0, 70} {
		var b strings.Builder
		b.WriteString("x,y,kind\n")
		for i := range n {
			fmt.Fprintf(&b, "%d.5,%d,%s\n", (i*7+k)%13, (i*3)%5, []string{"a", "b"}[i%2])
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.csv", k)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "s*.csv")
}

// TestTrainPredict runs train and predict as the command does, on Prism,
// and reads the model file back as an ordinary somgraph model.
func TestTrainPredict(t *testing.T) {
	ctx := context.Background()
	glob := shards(t)
	out := filepath.Join(t.TempDir(), "model.somg")
	var stdout, stderr bytes.Buffer
	f := parse(t, "--input", glob, "--size", "3x4", "--epochs", "3", "--seed", "5", "--out", out, "--checkpoint", out+".best")
	if err := train(ctx, f, &stdout, &stderr); err != nil {
		t.Fatalf("train: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "110 records in 3 shards") || strings.Count(stderr.String(), "epoch ") != 3 {
		t.Fatalf("stdout %q\nstderr %q", stdout.String(), stderr.String())
	}
	md, err := trainer.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if md.Mode != trainer.Batch || len(md.History) != 3 || md.Pipeline == nil || md.Config.Grid.Units() != 12 {
		t.Fatalf("model: mode %v, %d epochs, pipeline %v, %d units", md.Mode, len(md.History), md.Pipeline != nil, md.Config.Grid.Units())
	}
	if _, err := trainer.LoadFile(out + ".best"); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	dir := t.TempDir()
	stdout.Reset()
	if err := predict(ctx, parse(t, "--model", out, "--input", glob, "--out", dir), &stdout); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "s2.csv.bmu.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != 71 {
		t.Fatalf("s2's predictions have %d lines, want a header and 70", lines)
	}
}

// TestTrainValid trains with a random validation split: the epoch lines
// and the model's history carry validation metrics, and early stopping
// watches valid_qe by default.
func TestTrainValid(t *testing.T) {
	ctx := context.Background()
	glob := shards(t)
	out := filepath.Join(t.TempDir(), "model.somg")
	var stdout, stderr bytes.Buffer
	f := parse(t, "--input", glob, "--size", "3x3", "--epochs", "3", "--valid", "0.3", "--early-stop", "5", "--out", out)
	if err := train(ctx, f, &stdout, &stderr); err != nil {
		t.Fatalf("train: %v\n%s", err, stderr.String())
	}
	if strings.Count(stderr.String(), "valid QE") != 3 || !strings.Contains(stdout.String(), "held out for validation") {
		t.Fatalf("stdout %q\nstderr %q", stdout.String(), stderr.String())
	}
	md, err := trainer.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.History) != 3 || !md.History[2].HasValid {
		t.Fatalf("history %+v", md.History)
	}
}

func TestBadFlags(t *testing.T) {
	ctx := context.Background()
	glob := shards(t)
	out := filepath.Join(t.TempDir(), "m.somg")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--input", glob}, "--out"},
		{[]string{"--input", filepath.Join(t.TempDir(), "none-*.csv"), "--out", out}, "matches no files"},
		{[]string{"--input", glob, "--out", out, "--size", "3by4"}, "--size"},
		{[]string{"--input", glob, "--out", out, "--epochs", "0"}, "--epochs"},
		{[]string{"--input", glob, "--out", out, "--bad-rows", "maybe"}, "maybe"},
		{[]string{"--input", glob, "--out", out, "--delimiter", ";;"}, "--delimiter"},
		{[]string{"--input", glob, "--out", out, "--cont", "nosuch"}, "nosuch"},
		{[]string{"--input", glob, "--out", out, "--valid", "1.2"}, "--valid"},
		{[]string{"--input", glob, "--out", out, "--valid", "0.2", "--valid-column", "x"}, "both"},
		{[]string{"--input", glob, "--out", out, "--valid-column", "nosuch"}, "nosuch"},
		{[]string{"--input", glob, "--out", out, "--early-stop", "2", "--monitor", "valid_qe"}, "needs validation data"},
		{[]string{"--input", glob, "--out", out, "--valid", "0.000001"}, "held out no records"},
	} {
		var stdout, stderr bytes.Buffer
		err := train(ctx, parse(t, c.args...), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("train %q: %v, want an error about %s", c.args, err, c.want)
		}
	}
	var stdout bytes.Buffer
	if err := predict(ctx, parse(t, "--model", filepath.Join(t.TempDir(), "missing.somg"), "--input", glob, "--out", t.TempDir()), &stdout); err == nil || !strings.Contains(err.Error(), "--model") {
		t.Errorf("predict with a missing model: %v", err)
	}
}

// TestS3WithoutCredentials checks that an s3:// glob reaches Beam's S3
// filesystem (registered by the command) and fails with a clear error
// when there are no credentials and no network, instead of an unknown
// scheme or a hang.
func TestS3WithoutCredentials(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "us-east-1")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	var stdout, stderr bytes.Buffer
	err := train(ctx, parse(t, "--input", "s3://somgraph-no-such-bucket/data/*.csv", "--out", filepath.Join(t.TempDir(), "m.somg")), &stdout, &stderr)
	t.Logf("after %v: %v", time.Since(start), err)
	if err == nil || !strings.Contains(err.Error(), `input "s3://somgraph-no-such-bucket/data/*.csv"`) || !strings.Contains(err.Error(), "credentials") {
		t.Fatalf("an s3:// glob without credentials: %v", err)
	}
}
