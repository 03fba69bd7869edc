package loaders

import (
	"bytes"
	"embed"
	"fmt"
	"slices"
	"strings"
)

//go:embed datasets/*.csv
var builtinFS embed.FS

// ColorsRows is the number of records of the built-in "colors" set.
const ColorsRows = 1000

// builtin describes a built-in data set: its file and default roles.
type builtin struct {
	file   string
	target string
	cat    []string
}

var builtins = map[string]builtin{
	"colors":   {},
	"iris":     {file: "iris.csv", target: "species"},
	"penguins": {file: "penguins.csv", target: "species", cat: []string{"island", "sex"}},
	"housing":  {file: "california_housing.csv", target: "median_house_value", cat: []string{"ocean_proximity"}},
}

// BuiltinNames returns the names of the built-in data sets: "colors",
// "housing", "iris" and "penguins".
func BuiltinNames() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func lookupBuiltin(name string) (builtin, error) {
	b, ok := builtins[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return b, fmt.Errorf("loaders: unknown built-in data set %q: want one of %s", name, strings.Join(BuiltinNames(), ", "))
	}
	return b, nil
}

// BuiltinCSV returns a copy of the embedded CSV file of a built-in data
// set (not "colors", which is generated).
func BuiltinCSV(name string) ([]byte, error) {
	b, err := lookupBuiltin(name)
	if err != nil {
		return nil, err
	}
	if b.file == "" {
		return nil, fmt.Errorf("loaders: built-in %q is generated, not a file: use BuiltinTable", name)
	}
	return builtinFS.ReadFile("datasets/" + b.file)
}

// BuiltinReadOptions returns the default read options of a built-in data
// set (iris: target species; penguins: target species, island and sex
// categorical; housing: target median_house_value, ocean_proximity
// categorical), with user's non-empty fields taking precedence: user's
// Target replaces the default, and user's role lists are added after the
// defaults, a column named by the user leaving the default lists. user may
// be nil.
func BuiltinReadOptions(name string, user *ReadOptions) (ReadOptions, error) {
	b, err := lookupBuiltin(name)
	if err != nil {
		return ReadOptions{}, err
	}
	o := ReadOptions{}
	if user != nil {
		o = *user
		o.Cont, o.Cat, o.Ignore = slices.Clone(o.Cont), slices.Clone(o.Cat), slices.Clone(o.Ignore)
	}
	if o.Name == "" {
		o.Name = name
		if b.file != "" {
			o.Name = b.file
		}
	}
	named := func(c string) bool {
		return c == o.Target || slices.Contains(o.Cont, c) || slices.Contains(o.Cat, c) || slices.Contains(o.Ignore, c)
	}
	if o.Target == "" && b.target != "" && !named(b.target) {
		o.Target = b.target
	}
	for _, c := range b.cat {
		if !named(c) {
			o.Cat = append(o.Cat, c)
		}
	}
	return o, nil
}

// BuiltinTable returns the raw table of a built-in data set with its
// default roles (see BuiltinReadOptions); read may be nil. The "colors"
// set has ColorsRows random RGB records drawn from seed; seed is not used
// by the others.
func BuiltinTable(name string, read *ReadOptions, seed uint64) (*Table, error) {
	b, err := lookupBuiltin(name)
	if err != nil {
		return nil, err
	}
	if b.file == "" {
		ds := Colors(ColorsRows, seed)
		cols := make([]Column, ds.D)
		for j := range cols {
			cols[j] = Column{Name: ds.Features[j], Role: Continuous, Num: make([]float64, ds.N)}
			for i := range ds.N {
				cols[j].Num[i] = ds.Data[i*ds.D+j]
			}
		}
		return FromColumns("colors", cols)
	}
	o, err := BuiltinReadOptions(name, read)
	if err != nil {
		return nil, err
	}
	data, err := BuiltinCSV(name)
	if err != nil {
		return nil, err
	}
	return ReadCSV(bytes.NewReader(data), &o)
}

// Builtin returns the data bunch of a built-in data set ("colors", "iris",
// "penguins" or "housing") with its default roles; opts may be nil, and
// its Read options are merged with the defaults (BuiltinReadOptions).
func Builtin(name string, opts *Options) (*DataBunch, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	t, err := BuiltinTable(name, o.readOptions(), o.Seed)
	if err != nil {
		return nil, err
	}
	return o.dropTable(NewDataBunch(t, &o))
}
