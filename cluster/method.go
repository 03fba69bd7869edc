package cluster

import (
	"fmt"
	"strings"
)

// Method is a clustering algorithm.
type Method uint8

const (
	// Ward is agglomerative clustering with Ward's criterion.
	Ward Method = iota
	// WardContiguous is Ward clustering that merges only clusters adjacent
	// on the map's grid.
	WardContiguous
	// KMeans is Lloyd's k-means with k-means++ seeding and restarts.
	KMeans
)

var methodNames = []string{"ward", "ward-contiguous", "kmeans"}

// String returns "ward", "ward-contiguous" or "kmeans".
func (m Method) String() string {
	if int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", uint8(m))
}

// ParseMethod parses "ward", "ward-contiguous" (or "contiguous") and
// "kmeans" (or "k-means").
func ParseMethod(s string) (Method, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ward":
		return Ward, nil
	case "ward-contiguous", "contiguous", "ward_contiguous":
		return WardContiguous, nil
	case "kmeans", "k-means":
		return KMeans, nil
	}
	return 0, fmt.Errorf("cluster: unknown method %q (want ward, ward-contiguous or kmeans)", s)
}

// MarshalText writes the method's name.
func (m Method) MarshalText() ([]byte, error) {
	if int(m) >= len(methodNames) {
		return nil, fmt.Errorf("cluster: unknown method %d", uint8(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText parses a method's name (see ParseMethod).
func (m *Method) UnmarshalText(b []byte) error {
	v, err := ParseMethod(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
