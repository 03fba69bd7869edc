package embed_test

import (
	"fmt"
	"math"

	"github.com/somgraph/somgraph/embed"
)

// Four colours; red and orange rows are warm (temperature near +1), blue
// and green ones cold (near -1). The learned vectors of red and orange
// point the same way, those of red and blue do not.
func ExampleFit() {
	d := &embed.Data{Names: []string{"colour"}, Levels: []int{4}, NCont: 1}
	for i := 0; i < 400; i++ {
		k := i % 4 // 0 red, 1 orange, 2 blue, 3 green
		t := 1.0
		if k >= 2 {
			t = -1
		}
		d.Codes = append(d.Codes, k)
		d.Cont = append(d.Cont, t+0.1*math.Sin(float64(i)))
		d.N++
	}
	m, err := embed.Fit(d, &embed.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	tab := m.Tables[0]
	fmt.Println("levels + unknown:", len(tab), "size:", m.Sizes[0])
	fmt.Println("red~orange closer than red~blue:", cosine(tab[0], tab[1]) > cosine(tab[0], tab[2]))
	fmt.Println("blue~green closer than green~orange:", cosine(tab[2], tab[3]) > cosine(tab[3], tab[1]))
	// Output:
	// levels + unknown: 5 size: 4
	// red~orange closer than red~blue: true
	// blue~green closer than green~orange: true
}

func cosine(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return ab / math.Sqrt(aa*bb)
}
