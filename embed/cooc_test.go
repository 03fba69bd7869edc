package embed

import (
	"errors"
	"reflect"
	"testing"
)

// TestCoOccurrencePlanted: PPMI + SVD puts the planted groups' levels
// closer by cosine than levels of different groups, deterministically.
func TestCoOccurrencePlanted(t *testing.T) {
	d := planted(3000, 7)
	m, err := CoOccurrence(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	within, between := groupDistances(m.Tables[0])
	t.Logf("within %.3f between %.3f, sizes %v", within, between, m.Sizes)
	if !(within < 0.25*between) {
		t.Errorf("mean cosine distance within groups %.3f, between %.3f: want within below a quarter of between", within, between)
	}
	for c, tab := range m.Tables {
		if len(tab) != d.Levels[c]+1 || len(tab[0]) != m.Sizes[c] {
			t.Errorf("column %d: table %d×%d, want %d×%d", c, len(tab), len(tab[0]), d.Levels[c]+1, m.Sizes[c])
		}
	}
	again, err := CoOccurrence(d, nil)
	if err != nil || !reflect.DeepEqual(m, again) {
		t.Errorf("a second run differs (%v)", err)
	}
}

// groupDistances returns the mean cosine distance between the planted
// column's levels within their groups (0–3, 4–7) and between them.
func groupDistances(tab [][]float64) (within, between float64) {
	for a := 0; a < 8; a++ {
		for b := a + 1; b < 8; b++ {
			if (a < 4) == (b < 4) {
				within += cosDist(tab[a], tab[b]) / 12
			} else {
				between += cosDist(tab[a], tab[b]) / 16
			}
		}
	}
	return within, between
}

func TestCoOccurrenceBad(t *testing.T) {
	one := planted(100, 1)
	one.Levels, one.NCont, one.Cont = one.Levels[:1], 0, nil
	codes := one.Codes
	one.Codes = nil
	for i := 0; i < len(codes); i += 2 {
		one.Codes = append(one.Codes, codes[i])
	}
	if _, err := CoOccurrence(one, nil); !errors.Is(err, ErrInput) {
		t.Errorf("one column: got %v, want ErrInput", err)
	}
	// Two columns whose levels are independent: every count is the
	// product of the margins, every PPMI weight 0.
	ind := &Data{Levels: []int{2, 2}}
	for i := range 40 {
		ind.Codes = append(ind.Codes, i%2, (i/2)%2)
		ind.N++
	}
	if _, err := CoOccurrence(ind, nil); !errors.Is(err, ErrInput) {
		t.Errorf("independent columns: got %v, want ErrInput", err)
	}
	if _, err := CoOccurrence(planted(100, 1), &Options{Sizes: []int{0, 2}}); !errors.Is(err, ErrSize) {
		t.Errorf("size 0: got %v, want ErrSize", err)
	}
}
