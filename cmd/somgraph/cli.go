package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"gorgonia.org/tensor"
)

// usageError is an error in the command line or the config file; the
// command exits with exitUsage. err, if not nil, is the library error it
// tells.
type usageError struct {
	msg string
	err error
}

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError.
func usagef(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// report prints err as one line on stderr, prefixed with the command, and
// returns the exit code its kind calls for.
func report(stderr io.Writer, cmd string, err error) int {
	msg := oneLine(err.Error())
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "somgraph %s: %s (see somgraph %s --help)\n", cmd, msg, cmd)
		return exitUsage
	}
	fmt.Fprintf(stderr, "somgraph %s: %s\n", cmd, msg)
	return exitFail
}

// libPackages are the library packages whose errors start with their name
// ("graph: ..."), a prefix the CLI drops.
var libPackages = []string{"cluster", "graph", "hooks", "loaders", "serve", "trainer", "viz"}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// bare strips a library's package prefix ("graph: ") from a message that
// the CLI shows next to the flag it came from.
func bare(err error) string {
	s := err.Error()
	for _, p := range libPackages {
		s = strings.TrimPrefix(s, p+": ")
	}
	return s
}

// group is a titled set of flags in a command's help.
type group struct {
	title string
	flags []string
}

// help is the text of a command's --help.
type help struct {
	cmd      string   // "train"
	args     string   // "[flags]"
	about    string   // what the command does, a paragraph
	groups   []group  // flags by topic, in order; flags not listed go last
	examples []string // command lines
}

// write prints the help with every flag, its argument and default.
func (h help) write(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: somgraph %s %s\n\n%s\n", h.cmd, h.args, strings.TrimSpace(h.about))
	seen := map[string]bool{}
	printFlag := func(f *flag.Flag) {
		seen[f.Name] = true
		arg, usage := flagArg(f)
		head := "  --" + f.Name
		if arg != "" {
			head += " " + arg
		}
		text := usage
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		lines := wrap(text, 78-24)
		if len(head) <= 22 {
			fmt.Fprintf(&b, "%-24s%s\n", head, lines[0])
			lines = lines[1:]
		} else {
			fmt.Fprintf(&b, "%s\n", head)
		}
		for _, l := range lines {
			fmt.Fprintf(&b, "%24s%s\n", "", l)
		}
	}
	for _, g := range h.groups {
		fmt.Fprintf(&b, "\n%s:\n", g.title)
		for _, name := range g.flags {
			if f := fs.Lookup(name); f != nil {
				printFlag(f)
			}
		}
	}
	var rest []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if !seen[f.Name] {
			rest = append(rest, f)
		}
	})
	if len(rest) > 0 {
		b.WriteString("\nGeneral:\n")
		for _, f := range rest {
			printFlag(f)
		}
	}
	if len(h.examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, e := range h.examples {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	io.WriteString(w, b.String())
}

// flagArg returns the argument name of a flag and its description. A
// usage that starts with a back-quoted word ("`rect|hex` cell shape") names
// the argument with that word, which is then left out of the description;
// elsewhere a back-quoted word names it and stays in the text.
func flagArg(f *flag.Flag) (arg, usage string) {
	if rest, ok := strings.CutPrefix(f.Usage, "`"); ok {
		if name, text, ok := strings.Cut(rest, "`"); ok {
			return name, strings.TrimSpace(text)
		}
	}
	arg, usage = flag.UnquoteUsage(f)
	if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
		arg = ""
	}
	return arg, usage
}

// wrap breaks text into lines of at most width characters (longer words
// stay whole).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// flagError rewrites an error of the flag package as a message about the
// flag's --name.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return usagef("unknown flag --%s", strings.TrimPrefix(name, "-"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return usagef("--%s needs a value", strings.TrimPrefix(name, "-"))
	}
	var value, name string
	_, scanErr := fmt.Sscanf(msg, "invalid value %q for flag -%s", &value, &name)
	if scanErr != nil {
		_, scanErr = fmt.Sscanf(msg, "invalid boolean value %q for -%s", &value, &name)
	}
	if scanErr == nil {
		name = strings.TrimSuffix(strings.TrimPrefix(name, "-"), ":")
		return usagef("--%s %q: want %s", name, value, wantOf(fs.Lookup(name)))
	}
	return usagef("%s", msg)
}

// wantOf describes the values flag f takes, for error messages.
func wantOf(f *flag.Flag) string {
	if f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			switch g.Get().(type) {
			case int, int64:
				return "a whole number"
			case uint, uint64:
				return "a whole number, 0 or more"
			case float64:
				return "a number"
			case bool:
				return "true or false"
			}
		}
	}
	if f != nil && flagKind(f) == "list" {
		return "a value or a list"
	}
	return "a valid value"
}

// newFlagSet returns a flag set for cmd that reports errors to us rather
// than printing them, with the --config flag every command has.
func newFlagSet(cmd string, config *string) *flag.FlagSet {
	fs := flag.NewFlagSet("somgraph "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(config, "config", "", "read options from a YAML or JSON `file` whose keys are these flag names; flags on the command line win")
	return fs
}

// parse parses args into fs, then fills every flag not given on the command
// line from the config file, if one was named. It returns the names of the
// flags set explicitly (on the command line or in the file) and, when the
// command should stop, an exit code ≥ 0 (help was printed, or an error).
func parse(fs *flag.FlagSet, h help, config *string, args []string, stdout, stderr io.Writer) (set map[string]bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			h.write(stdout, fs)
			return nil, exitOK
		}
		return nil, report(stderr, h.cmd, flagError(fs, err))
	}
	if fs.NArg() > 0 {
		return nil, report(stderr, h.cmd, usagef("unexpected argument %q: options are flags, for example --data FILE", fs.Arg(0)))
	}
	set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *config != "" {
		if err := applyConfig(fs, h.cmd, *config, set); err != nil {
			return nil, report(stderr, h.cmd, err)
		}
	}
	return set, -1
}

// applyConfig reads a YAML or JSON file of option: value pairs and sets
// every flag of fs that is not already in set (given on the command line).
// A file may hold a section per command ("train:", "predict:", ...); the
// section of cmd applies over the top-level keys and other sections are
// ignored.
func applyConfig(fs *flag.FlagSet, cmd, path string, set map[string]bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usagef("--config: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return usagef("--config %s: want YAML or JSON of option: value pairs: %s", path, oneLine(err.Error()))
	}
	values := map[string]any{}
	for k, v := range doc {
		if _, isMap := v.(map[string]any); isMap && slices.Contains(commandNames, k) {
			continue // a command's section
		}
		values[normKey(k)] = v
	}
	if sec, ok := doc[cmd].(map[string]any); ok {
		for k, v := range sec {
			values[normKey(k)] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		f := fs.Lookup(k)
		if f == nil || k == "config" {
			return usagef("--config %s: unknown option %q for somgraph %s", path, k, cmd)
		}
		if set[k] {
			continue // the command line wins
		}
		if err := configType(f, values[k]); err != nil {
			return usagef("--config %s: option %q: %v", path, k, err)
		}
		s, err := configString(values[k])
		if err != nil {
			return usagef("--config %s: option %q: %v", path, k, err)
		}
		if err := fs.Set(k, s); err != nil {
			return usagef("--config %s: option %q: %q is not %s", path, k, s, wantOf(f))
		}
		set[k] = true
	}
	return nil
}

// normKey lets a config file spell early_stop for early-stop.
func normKey(k string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(k)), "_", "-")
}

// configType checks that a config file's value v has the type flag f
// takes: a whole number for an integer flag, a number for a float flag,
// true or false for a boolean, a list only for a comma-separated list, and
// never a map. A string flag takes any other scalar as its text.
func configType(f *flag.Flag, v any) error {
	var ok bool
	switch flagKind(f) {
	case "int":
		switch v.(type) {
		case int, uint64:
			ok = true
		}
	case "float":
		switch v.(type) {
		case int, uint64, float64:
			ok = true
		}
	case "bool":
		_, ok = v.(bool)
	case "list":
		_, isMap := v.(map[string]any)
		ok = !isMap
	default:
		switch v.(type) {
		case []any, map[string]any:
		default:
			ok = true
		}
	}
	if ok {
		return nil
	}
	return fmt.Errorf("want %s, got %s", wantOf(f), yamlKind(v))
}

// flagKind returns the kind of value flag f takes: int, float, bool, list
// (a string flag whose usage says comma-separated) or string.
func flagKind(f *flag.Flag) string {
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case int, int64, uint, uint64:
			return "int"
		case float64:
			return "float"
		case bool:
			return "bool"
		}
	}
	if strings.Contains(f.Usage, "comma-separated") {
		return "list"
	}
	return "string"
}

// yamlKind describes a decoded YAML value for an error message.
func yamlKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("text %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case int, uint64, float64:
		return fmt.Sprintf("the number %v", x)
	case []any:
		return fmt.Sprintf("a list %v", x)
	case map[string]any:
		return "a map of keys"
	}
	return fmt.Sprintf("a %T", v)
}

// configString formats a YAML value as the flag text it stands for; a list
// becomes a comma-separated string.
func configString(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, err := configString(e)
			if err != nil {
				return "", err
			}
			if _, nested := e.([]any); nested {
				return "", fmt.Errorf("a list inside a list is not an option value")
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("want a string, number, boolean or list, got %T", v)
}

// positive checks a float flag that must be > 0 when it was given.
func positive(name string, v float64, given bool) error {
	if given && !(v > 0 && !math.IsInf(v, 0)) {
		return usagef("--%s %v: must be a number greater than 0", name, v)
	}
	return nil
}

// parseDtype parses a --dtype value: float32 (or f32) or float64 (or f64).
func parseDtype(s string) (tensor.Dtype, error) {
	switch strings.ToLower(s) {
	case "float32", "f32":
		return tensor.Float32, nil
	case "float64", "f64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, usagef("--dtype %q: want float32 or float64", s)
}

// splitList splits a comma-separated flag value, trimming spaces and
// dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
