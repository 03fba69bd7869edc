package loaders

import (
	"math"
	"strconv"
	"unsafe"
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal parses b when it is a plain decimal number,
// [+-]digits[.digits][(e|E)[+-]digits] (at least one digit before the
// exponent, no spaces), and returns the float64 that strconv.ParseFloat
// returns for it, bit for bit. ok is false for any other text (spaces,
// "NaN", "Inf", hex, underscores) and for values that overflow to ±Inf;
// callers fall back to their general parser then.
func parseDecimal(b []byte) (v float64, ok bool) {
	v, n, ok := scanDecimal(b)
	return v, ok && n == len(b)
}

// scanDecimal parses the plain decimal number at the start of b, as
// parseDecimal does, and returns its length n: the number is b[:n], and
// b[n], if any, cannot continue it (it is not a digit, nor '.', 'e' or
// 'E' where one may follow). ok is false when b starts with no such
// number, with a malformed exponent, or with a value that overflows.
//
// Up to 19 significant digits with a small exponent take Clinger's fast
// path: the digits as an exact float64 times or divided by an exact power
// of ten, one correctly rounded operation, so the result equals
// ParseFloat's. Anything else is handed to strconv.ParseFloat itself,
// without allocating.
func scanDecimal(b []byte) (float64, int, bool) {
	i, n := 0, len(b)
	neg := false
	if i < n && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var mant uint64
	digits, exp10 := 0, 0 // significant digits in mant; decimal exponent
	sawDigit, exact := false, true
	for ; i < n && b[i]-'0' < 10; i++ {
		sawDigit = true
		d := uint64(b[i] - '0')
		switch {
		case mant == 0 && d == 0:
		case digits < 19:
			mant = mant*10 + d
			digits++
		default:
			exact = false
			exp10++
		}
	}
	if i < n && b[i] == '.' {
		i++
		for ; i < n && b[i]-'0' < 10; i++ {
			sawDigit = true
			d := uint64(b[i] - '0')
			switch {
			case mant == 0 && d == 0:
				exp10--
			case digits < 19:
				mant = mant*10 + d
				digits++
				exp10--
			default:
				exact = false
			}
		}
	}
	if !sawDigit {
		return 0, 0, false
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < n && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		if i == n || b[i]-'0' >= 10 {
			return 0, 0, false
		}
		e := 0
		for ; i < n && b[i]-'0' < 10; i++ {
			if e < 100000 {
				e = e*10 + int(b[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp10 += e
	}
	if exact && mant>>53 == 0 && exp10 >= -22 && exp10 <= 22 {
		f := float64(mant)
		if exp10 < 0 {
			f /= pow10[-exp10]
		} else {
			f *= pow10[exp10]
		}
		if neg {
			f = -f
		}
		return f, i, true
	}
	f, err := strconv.ParseFloat(unsafe.String(&b[0], i), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, 0, false
	}
	return f, i, true
}
