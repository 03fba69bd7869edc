package serve

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/trainer"
)

// modelClusters returns the cluster of every unit stored in the model
// (somgraph cluster), or nil when the model has none.
func modelClusters(md *trainer.Model) []int {
	if md.Clusters == nil {
		return nil
	}
	return slices.Clone(md.Clusters.Labels)
}

// clusterProfiles describes every cluster by the records (cluster.Result.Profiles),
// or returns nil without clusters or records.
func (s *state) clusterProfiles() ([]cluster.Profile, error) {
	if s.model.Clusters == nil || s.data == nil {
		return nil, nil
	}
	var dec cluster.Decoder
	if s.codec.pipe != nil {
		dec = s.codec.pipe
	}
	ps, err := s.model.Clusters.Profiles(s.data, s.bmu, dec)
	if err != nil {
		return nil, fmt.Errorf("serve: cluster profiles: %w", err)
	}
	return ps, nil
}

// clusterView is a unit's cluster in GET /api/units/{k}: its size and, per
// input (in the order of the inputs), the cluster's records' mean and Z for
// a continuous input, its most frequent level and share for a categorical
// one (cluster.Profile).
type clusterView struct {
	Cluster  int           `json:"cluster"`
	Units    int           `json:"units"`
	Records  int           `json:"records"`
	Features []clusterStat `json:"features,omitempty"`
}

type clusterStat struct {
	Feature  string `json:"feature"`
	Mean     num    `json:"mean"`
	Z        num    `json:"z"`
	Top      string `json:"top,omitempty"`
	TopShare num    `json:"top_share"`
}

func (s *state) clusterOf(k int) *clusterView {
	if s.clusters == nil {
		return nil
	}
	c := s.clusters[k]
	v := &clusterView{Cluster: c}
	for _, l := range s.clusters {
		if l == c {
			v.Units++
		}
	}
	if c >= len(s.profiles) {
		return v
	}
	p := s.profiles[c]
	v.Records = p.Records
	for _, in := range s.codec.inputs {
		i := slices.IndexFunc(p.Features, func(f cluster.FeatureStat) bool { return f.Name == in })
		st := clusterStat{Feature: in, Mean: num(math.NaN()), Z: num(math.NaN()), TopShare: num(math.NaN())}
		if i >= 0 {
			f := p.Features[i]
			if f.Categorical {
				if j := argmax(f.Shares); j >= 0 {
					st.Top, st.TopShare = f.Levels[j], num(f.Shares[j])
				}
			} else {
				st.Mean, st.Z = num(f.Mean), num(f.Z)
			}
		}
		v.Features = append(v.Features, st)
	}
	return v
}

func argmax(v []float64) int {
	best := -1
	for i, x := range v {
		if best < 0 || x > v[best] {
			best = i
		}
	}
	return best
}

// clusterNames names the clusters of labels: "cluster 0", "cluster 1", ...
func clusterNames(labels []int) []string {
	n := 0
	for _, c := range labels {
		n = max(n, c+1)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = "cluster " + strconv.Itoa(i)
	}
	return out
}
