package loaders

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// checkDecimal fails if parseDecimal accepts s with another value than
// strconv.ParseFloat's, bit for bit, or accepts what ParseFloat rejects.
func checkDecimal(t *testing.T, s string) (accepted bool) {
	t.Helper()
	got, ok := parseDecimal([]byte(s))
	want, err := strconv.ParseFloat(s, 64)
	if !ok {
		return false
	}
	if err != nil || math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("parseDecimal(%q) = %v (%#x), strconv.ParseFloat = %v (%#x), %v", s, got, math.Float64bits(got), want, math.Float64bits(want), err)
	}
	return true
}

// checkScan fails unless scanDecimal of s, when it takes a number, takes
// the one parseDecimal takes from its text alone, ends where no number
// byte can continue it, and takes s whole exactly when parseDecimal takes
// s.
func checkScan(t *testing.T, s string) {
	t.Helper()
	v, n, ok := scanDecimal([]byte(s))
	if _, whole := parseDecimal([]byte(s)); whole != (ok && n == len(s)) {
		t.Fatalf("scanDecimal(%q) = %v, %d, %v; parseDecimal takes it whole: %v", s, v, n, ok, whole)
	}
	if !ok {
		return
	}
	pv, pok := parseDecimal([]byte(s[:n]))
	if !pok || math.Float64bits(pv) != math.Float64bits(v) {
		t.Fatalf("scanDecimal(%q) = %v, %d; parseDecimal(%q) = %v, %v", s, v, n, s[:n], pv, pok)
	}
	if n < len(s) && s[n]-'0' < 10 {
		t.Fatalf("scanDecimal(%q) stopped at %d, before a digit", s, n)
	}
}

// TestParseDecimal checks edge cases and random decimals against
// strconv.ParseFloat, and that plain decimals are accepted.
func TestParseDecimal(t *testing.T) {
	accept := []string{"0", "-0", "+0", "0.0", "-0.000", "1", "-1", "0.680271", ".5", "5.", "-.5e1", "1e22", "1e23", "9007199254740993",
		"123456789012345678901234567890", "0.1", "0.30000000000000004", "2.2250738585072014e-308", "4.9e-324", "1e-400",
		"1.7976931348623157e308", "1E5", "1e+05", "1e-05", "00012.5000", "3.14159265358979323846264338327950288"}
	for _, s := range accept {
		if !checkDecimal(t, s) {
			t.Errorf("parseDecimal rejects %q", s)
		}
	}
	reject := []string{"", "-", "+", ".", "e5", "1e", "1e+", " 1", "1 ", "1,5", "NaN", "nan", "Inf", "-inf", "infinity",
		"0x1p-2", "1_000", "1e400", "-1.8e308", "1..2", "1.2.3", "--1", "1e5e5", "١"}
	for _, s := range reject {
		if _, ok := parseDecimal([]byte(s)); ok {
			t.Errorf("parseDecimal accepts %q", s)
		}
	}
	for _, s := range slices.Concat(accept, reject) {
		for _, tail := range []string{"", ",", "\n", "\r\n", ";", "x", " ", ".", "e", "e,", "E+", ",1"} {
			checkScan(t, s+tail)
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 200000 {
		var s string
		switch r.IntN(4) {
		case 0:
			s = strconv.FormatFloat(r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)), 'g', -1, 64)
		case 1:
			s = strconv.FormatFloat(r.Float64(), 'f', r.IntN(12), 64)
		case 2:
			s = strconv.FormatFloat(math.Float64frombits(r.Uint64()), 'e', r.IntN(25), 64)
		default:
			s = strconv.FormatInt(r.Int64N(1<<62)-1<<61, 10) + "." + strconv.FormatUint(r.Uint64N(1e18), 10)
		}
		checkScan(t, s+",")
		if !checkDecimal(t, s) && !math.IsInf(mustParse(s), 0) && s != "NaN" {
			t.Fatalf("parseDecimal rejects %q", s)
		}
	}
}

func mustParse(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// FuzzParseDecimal checks that whatever parseDecimal accepts, it parses
// exactly as strconv.ParseFloat, and scanDecimal against parseDecimal.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0.680271", "-1e-5", "123456789012345678901", "1e308", ".5", "4.9e-324", "NaN", "1_0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkDecimal(t, s); checkScan(t, s) })
}

// BenchmarkParseDecimal compares parseDecimal with strconv.ParseFloat on
// six-decimal values.
func BenchmarkParseDecimal(b *testing.B) {
	fields := make([][]byte, 1024)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range fields {
		fields[i] = strconv.AppendFloat(nil, r.Float64()*2-0.5, 'f', 6, 64)
	}
	b.Run("parseDecimal", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			parseDecimal(fields[i%len(fields)])
		}
	})
	b.Run("strconv", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			strconv.ParseFloat(string(fields[i%len(fields)]), 64)
		}
	})
}

// TestSelectNth checks the median's selection against sorting, on random
// values, many duplicates, sorted and reversed input.
func TestSelectNth(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for trial := range 300 {
		n := 1 + r.IntN(500)
		s := make([]float64, n)
		for i := range s {
			switch trial % 4 {
			case 0:
				s[i] = r.NormFloat64()
			case 1:
				s[i] = float64(r.IntN(3))
			case 2:
				s[i] = float64(i)
			default:
				s[i] = float64(n - i)
			}
		}
		sorted := append([]float64(nil), s...)
		slices.Sort(sorted)
		k := r.IntN(n)
		got := selectNth(s, k)
		if got != sorted[k] {
			t.Fatalf("trial %d: selectNth(%d of %d) = %v, sorted %v", trial, k, n, got, sorted[k])
		}
		for i, v := range s {
			if (i < k && v > got) || (i > k && v < got) {
				t.Fatalf("trial %d: s[%d] = %v on the wrong side of s[%d] = %v", trial, i, v, k, got)
			}
		}
		a := &contAcc{}
		for _, v := range sorted {
			a.add(v)
		}
		h := n / 2
		want := sorted[h]
		if n%2 == 0 {
			want = sorted[h-1] + (sorted[h]-sorted[h-1])/2
		}
		if m := a.median(); m != want {
			t.Fatalf("trial %d: median %v, want %v", trial, m, want)
		}
	}
}

// TestBandSelect checks contAcc.median, which selects by band where it can,
// against selectNth's median on a copy of the same values, bit for bit:
// odd and even counts around bandMinLen and larger, normal, heavy-tailed,
// few distinct values, sorted and reversed values, a median in a gap,
// infinities, and signed zeros at the median (left to selectNth); and
// that the band takes the plain cases.
func TestBandSelect(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	gen := map[string]func(i, n int) float64{
		"normal":   func(int, int) float64 { return r.NormFloat64() },
		"exp":      func(int, int) float64 { return r.ExpFloat64() * 1e6 },
		"few":      func(int, int) float64 { return float64(r.IntN(4)) - 1.5 },
		"ints":     func(int, int) float64 { return float64(r.IntN(5)) },
		"sorted":   func(i, _ int) float64 { return float64(i) },
		"reversed": func(i, n int) float64 { return float64(n - i) },
		"gap":      func(i, _ int) float64 { return float64(i%2)*1e9 + r.Float64() },
		"inf":      func(i, _ int) float64 { return []float64{math.Inf(1), math.Inf(-1), r.NormFloat64()}[i%3] },
		"zeros":    func(i, _ int) float64 { return []float64{0, math.Copysign(0, -1), 1, -1}[r.IntN(4)] },
		"equal":    func(int, int) float64 { return 2.5 },
	}
	banded := map[string]bool{}
	for name, g := range gen {
		for _, n := range []int{bandMinLen - 1, bandMinLen, bandMinLen + 1, 10000, 50001} {
			s := make([]float64, n)
			for i := range s {
				s[i] = g(i, n)
			}
			ref := slices.Clone(s)
			h := n / 2
			want := selectNth(ref, h)
			if n%2 == 0 {
				lo := slices.Max(ref[:h])
				want = lo + (want-lo)/2
			}
			if _, _, ok := bandSelect(s, h, n%2 == 0); ok {
				banded[name] = true
			}
			a := &contAcc{sample: slices.Clone(s)}
			if got := a.median(); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("%s, %d values: median %v (%#x), selectNth's %v (%#x)", name, n, got, math.Float64bits(got), want, math.Float64bits(want))
			}
		}
	}
	for _, name := range []string{"normal", "exp", "sorted", "reversed", "gap", "equal"} {
		if !banded[name] {
			t.Errorf("%s: the band never took it", name)
		}
	}
	if banded["zeros"] {
		t.Error("zeros: the band took a zero median")
	}
}
