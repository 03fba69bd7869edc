package hooks

import "strconv"

// teName names the topographic error of metric prefix ("train_" or
// "valid_") with the map's convention, for example "train_te(4)": the
// number of grid neighbours that count as adjacent (graph.Config.TELabel).
// Without a map it is the bare metric name.
func teName(prefix string, s *State) string {
	if s.Map == nil {
		return prefix + "te"
	}
	return prefix + s.Map.Config().TELabel()
}

// teNeighbors returns the number of grid neighbours that count as adjacent
// for the topographic error of the map in s, as a CSV field ("" without a
// map).
func teNeighbors(s *State) string {
	if s.Map == nil {
		return ""
	}
	return strconv.Itoa(s.Map.Config().TENeighborCount())
}
