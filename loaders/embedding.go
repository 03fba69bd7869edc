package loaders

import (
	"fmt"
	"maps"
	"slices"

	"github.com/somgraph/somgraph/embed"
)

// fitEmbeddings learns the vectors of the Embedding encoded columns from
// rows of t (package embed's autoencoder) and stores them in the columns.
// A categorical column of one level stays without vectors: it is encoded
// one-hot. Without such columns there is nothing to learn.
func (p *Pipeline) fitEmbeddings(t *Table, rows []int) error {
	var cats []int
	for j, c := range p.Columns {
		if c.Kind == Categorical {
			p.Columns[j].Embedding = nil
			if len(c.Levels) > 1 {
				cats = append(cats, j)
			}
		}
	}
	var eo EmbedOptions
	if p.Options.Embed != nil {
		eo = *p.Options.Embed
	}
	for _, name := range slices.Sorted(maps.Keys(eo.Sizes)) {
		j := slices.IndexFunc(p.Columns, func(c FittedColumn) bool { return c.Name == name })
		if j < 0 || p.Columns[j].Kind != Categorical {
			return fmt.Errorf("%w %q in the embedding sizes: name a categorical input column", ErrUnknownColumn, name)
		}
	}
	switch eo.Method {
	case "", EmbedAutoencoder, EmbedCoOccurrence:
	default:
		return fmt.Errorf("loaders: embedding method %q: want %s or %s", eo.Method, EmbedAutoencoder, EmbedCoOccurrence)
	}
	if len(cats) == 0 {
		return nil
	}
	// An ordinal twin of the pipeline encodes the training rows: the
	// continuous values as the map will see them, the levels as codes.
	q := &Pipeline{Version: p.Version, Options: p.Options, NA: p.NA, Target: p.Target, Columns: slices.Clone(p.Columns)}
	q.Options.Encode, q.Options.Embed = Ordinal, nil
	if err := q.init(); err != nil {
		return err
	}
	all, err := q.Transform(t)
	if err != nil {
		return err
	}
	d := &embed.Data{N: len(rows)}
	var sizes []int
	for _, j := range cats {
		c := &p.Columns[j]
		d.Names = append(d.Names, c.Name)
		d.Levels = append(d.Levels, len(c.Levels))
		s, ok := eo.Sizes[c.Name]
		if !ok {
			s = embed.Size(len(c.Levels) + 1)
		}
		sizes = append(sizes, s)
	}
	var cont []int // encoded columns of the continuous groups
	for _, g := range q.layout.Groups {
		if g.Kind == Continuous {
			cont = append(cont, g.Start)
		}
	}
	d.NCont = len(cont)
	d.Codes = make([]int, 0, len(rows)*len(cats))
	d.Cont = make([]float64, 0, len(rows)*len(cont))
	for _, i := range rows {
		row := all.Row(i)
		for _, j := range cats {
			d.Codes = append(d.Codes, int(row[q.layout.Groups[q.vgroup[j]].Start])-1)
		}
		for _, k := range cont {
			d.Cont = append(d.Cont, row[k])
		}
	}
	learn := embed.Fit
	if eo.Method == EmbedCoOccurrence {
		learn = embed.CoOccurrence
	}
	m, err := learn(d, &embed.Options{Sizes: sizes, Epochs: eo.Epochs, Seed: eo.Seed, Progress: eo.Progress})
	if err != nil {
		return fmt.Errorf("loaders: %s: learning the embeddings: %w", nameOf(t.Name), err)
	}
	for c, j := range cats {
		p.Columns[j].Embedding = m.Tables[c]
	}
	return nil
}

// encoding returns how column c is encoded under the pipeline's encoding
// enc: an Embedding column of one level is one-hot, and only an Embedding
// column has vectors (Group.CheckVectors checks them).
func (c *FittedColumn) encoding(enc Encoding) (Encoding, error) {
	if enc != Embedding {
		if c.Embedding != nil {
			return 0, fmt.Errorf("column %q has embedding vectors under %v encoding", c.Name, enc)
		}
		return enc, nil
	}
	if len(c.Embedding) == 0 {
		if len(c.Levels) == 1 {
			return OneHot, nil
		}
		return 0, fmt.Errorf("column %q: embedding encoding without vectors", c.Name)
	}
	return Embedding, nil
}
