package graph

import (
	"fmt"
	"math"
	"strings"
)

// Distance is the measure between a record and a unit's weights.
type Distance uint8

const (
	// Euclidean is the squared Euclidean distance for the BMU search,
	// computed as ‖x‖² − 2·x·w + ‖w‖² through one matrix product. Reported
	// distances (quantization error, Predict) are its square root.
	Euclidean Distance = iota
	// Cosine is 1 − cos(x, w); a zero vector is at distance 1 from all.
	Cosine
	// Manhattan is Σ|x_i − w_i|.
	Manhattan
	// Mixed compares tables of continuous and categorical features as
	// fastsom's mixed categorical distance does: the Euclidean distance over
	// the continuous columns weighted by their share of the features, plus
	// the share of categorical features whose level differs; with
	// embedded categorical groups, fastsom's MixedEmbeddingDistance (cosine
	// per embedding, on fixed ranges; see MixedLayout). It needs
	// Config.Mixed to say which columns are which.
	Mixed
	// Tanimoto is a layer distance (see Layer) for one-hot class layers:
	// the share of columns on which x and w fall on different sides of
	// 0.5. It is not a map distance of its own.
	Tanimoto
)

// Neighborhood is the function h(d, σ) of the grid distance d between a unit
// and the best-matching unit.
type Neighborhood uint8

const (
	// Gaussian is exp(−d²/2σ²).
	Gaussian Neighborhood = iota
	// Bubble is 1 within d ≤ σ and 0 outside.
	Bubble
	// MexicanHat is (1 − d²/σ²)·exp(−d²/2σ²); it is negative beyond σ.
	MexicanHat
	// Triangle is max(0, 1 − d/σ).
	Triangle
)

// Init is how a codebook is initialized from data.
type Init uint8

const (
	// InitRandom draws each weight uniformly within its feature's range
	// in the data.
	InitRandom Init = iota
	// InitSample copies randomly chosen records (distinct where possible).
	InitSample
	// InitPCA spreads the units over the plane of the data's first two
	// principal components, centred on the mean, spanning ±2 standard
	// deviations along each.
	InitPCA
	// InitKMeans runs k-means with k-means++ seeding (K = number of units)
	// and places the centroids on the grid in PCA order.
	InitKMeans
)

var (
	distanceNames     = []string{"euclidean", "cosine", "manhattan", "mixed", "tanimoto"}
	neighborhoodNames = []string{"gaussian", "bubble", "mexican-hat", "triangle"}
	initNames         = []string{"random", "sample", "pca", "kmeans"}
)

func name(names []string, i uint8, kind string) string {
	if int(i) < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", kind, i)
}

func parse(names []string, s, kind string) (uint8, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.ReplaceAll(t, "_", "-")
	for i, n := range names {
		if t == n || t == strings.ReplaceAll(n, "-", "") {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("graph: unknown %s %q (want one of %s)", kind, s, strings.Join(names, ", "))
}

// String returns the distance's name as the CLI spells it.
func (d Distance) String() string { return name(distanceNames, uint8(d), "Distance") }

// String returns the neighbourhood's name as the CLI spells it.
func (n Neighborhood) String() string { return name(neighborhoodNames, uint8(n), "Neighborhood") }

// String returns the initializer's name as the CLI spells it.
func (i Init) String() string { return name(initNames, uint8(i), "Init") }

// ParseDistance parses "euclidean", "cosine", "manhattan", "mixed" or
// "tanimoto" (a layer distance only).
func ParseDistance(s string) (Distance, error) {
	v, err := parse(distanceNames, s, "distance")
	return Distance(v), err
}

// ParseNeighborhood parses "gaussian", "bubble", "mexican-hat" or "triangle".
func ParseNeighborhood(s string) (Neighborhood, error) {
	v, err := parse(neighborhoodNames, s, "neighborhood")
	return Neighborhood(v), err
}

// ParseInit parses "random", "sample", "pca" or "kmeans".
func ParseInit(s string) (Init, error) {
	v, err := parse(initNames, s, "init")
	return Init(v), err
}

// Value returns h(d, σ) for grid distance d ≥ 0 and radius σ > 0.
func (n Neighborhood) Value(d, sigma float64) float64 {
	switch n {
	case Gaussian:
		return math.Exp(-d * d / (2 * sigma * sigma))
	case Bubble:
		if d <= sigma {
			return 1
		}
		return 0
	case MexicanHat:
		q := d * d / (sigma * sigma)
		return (1 - q) * math.Exp(-q/2)
	case Triangle:
		return math.Max(0, 1-d/sigma)
	}
	panic(fmt.Sprintf("graph: unknown neighborhood %d", n))
}
