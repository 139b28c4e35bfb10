package server

import (
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
)

func sortStatus(s []Status) {
	slices.SortFunc(s, func(a, b Status) int {
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

type promNoGatherer struct{}

func (promNoGatherer) Gather() ([]*dto.MetricFamily, error) { return nil, nil }
