package rollout

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// probe is what a window says about one instant.
type probe struct {
	At       string // RFC 3339 in the window's zone
	Contains bool
	Open     string // Open(At), RFC 3339 in the window's zone
}

func probeWindow(w *Window, at time.Time) probe {
	return probe{
		At:       at.In(w.Zone).Format(time.RFC3339),
		Contains: w.Contains(at),
		Open:     w.Open(at).In(w.Zone).Format(time.RFC3339),
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWindow(t *testing.T) {
	weekend := []time.Weekday{time.Saturday, time.Sunday}
	tests := []struct {
		name string
		w    Window
		at   []string // instants, RFC 3339 with their offset
		want []probe
	}{
		{
			// Saturday 28 November 2026, 23:00 + 4h: Sunday 02:00 is inside,
			// Sunday 03:30 is not; the next opening is the next Saturday.
			name: "spans midnight",
			w:    Window{Days: []time.Weekday{time.Saturday}, Start: 23 * time.Hour, Length: 4 * time.Hour, Zone: time.UTC},
			at:   []string{"2026-11-28T22:59:00Z", "2026-11-28T23:00:00Z", "2026-11-29T02:00:00Z", "2026-11-29T02:59:59Z", "2026-11-29T03:00:00Z", "2026-11-29T03:30:00Z"},
			want: []probe{
				{"2026-11-28T22:59:00Z", false, "2026-11-28T23:00:00Z"},
				{"2026-11-28T23:00:00Z", true, "2026-11-28T23:00:00Z"},
				{"2026-11-29T02:00:00Z", true, "2026-11-29T02:00:00Z"},
				{"2026-11-29T02:59:59Z", true, "2026-11-29T02:59:59Z"},
				{"2026-11-29T03:00:00Z", false, "2026-12-05T23:00:00Z"},
				{"2026-11-29T03:30:00Z", false, "2026-12-05T23:00:00Z"},
			},
		},
		{
			// A weekend window asked on a Tuesday opens on Saturday.
			name: "weekly, asked mid-week",
			w:    Window{Days: weekend, Start: time.Hour, Length: 4 * time.Hour, Zone: london},
			at:   []string{"2026-11-24T09:00:00Z", "2026-11-28T03:00:00Z", "2026-11-28T05:00:00Z", "2026-11-29T06:00:00Z"},
			want: []probe{
				{"2026-11-24T09:00:00Z", false, "2026-11-28T01:00:00Z"},
				{"2026-11-28T03:00:00Z", true, "2026-11-28T03:00:00Z"},
				{"2026-11-28T05:00:00Z", false, "2026-11-29T01:00:00Z"},
				{"2026-11-29T06:00:00Z", false, "2026-12-05T01:00:00Z"},
			},
		},
		{
			// London springs forward on 29 March 2026 at 01:00 GMT: 01:00
			// local does not exist. The opening is taken in the offset before
			// the change (01:00 GMT = 02:00 BST) and the window lasts 4 hours
			// of elapsed time, until 06:00 BST.
			name: "London, spring forward",
			w:    Window{Start: time.Hour, Length: 4 * time.Hour, Zone: london},
			at:   []string{"2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z", "2026-03-29T04:59:00Z", "2026-03-29T05:00:00Z"},
			want: []probe{
				{"2026-03-29T00:59:00Z", false, "2026-03-29T02:00:00+01:00"},
				{"2026-03-29T02:00:00+01:00", true, "2026-03-29T02:00:00+01:00"},
				{"2026-03-29T05:59:00+01:00", true, "2026-03-29T05:59:00+01:00"},
				{"2026-03-29T06:00:00+01:00", false, "2026-03-30T01:00:00+01:00"},
			},
		},
		{
			// London falls back on 25 October 2026 at 02:00 BST: 01:00 local
			// happens twice. The window opens at the first (01:00 BST) and
			// lasts 4 hours of elapsed time, until 04:00 GMT.
			name: "London, fall back",
			w:    Window{Start: time.Hour, Length: 4 * time.Hour, Zone: london},
			at:   []string{"2026-10-24T23:59:00Z", "2026-10-25T00:00:00Z", "2026-10-25T01:30:00Z", "2026-10-25T03:59:00Z", "2026-10-25T04:00:00Z"},
			want: []probe{
				{"2026-10-25T00:59:00+01:00", false, "2026-10-25T01:00:00+01:00"},
				{"2026-10-25T01:00:00+01:00", true, "2026-10-25T01:00:00+01:00"},
				{"2026-10-25T01:30:00Z", true, "2026-10-25T01:30:00Z"},
				{"2026-10-25T03:59:00Z", true, "2026-10-25T03:59:00Z"},
				{"2026-10-25T04:00:00Z", false, "2026-10-26T01:00:00Z"},
			},
		},
		{
			// New York springs forward on 8 March 2026 at 02:00 EST: 01:00
			// exists, so the window opens at 01:00 EST and, 4 elapsed hours
			// later, closes at 06:00 EDT (five hours on the wall clock).
			name: "New York, spring forward",
			w:    Window{Start: time.Hour, Length: 4 * time.Hour, Zone: newYork},
			at:   []string{"2026-03-08T05:59:00Z", "2026-03-08T06:00:00Z", "2026-03-08T09:59:00Z", "2026-03-08T10:00:00Z"},
			want: []probe{
				{"2026-03-08T00:59:00-05:00", false, "2026-03-08T01:00:00-05:00"},
				{"2026-03-08T01:00:00-05:00", true, "2026-03-08T01:00:00-05:00"},
				{"2026-03-08T05:59:00-04:00", true, "2026-03-08T05:59:00-04:00"},
				{"2026-03-08T06:00:00-04:00", false, "2026-03-09T01:00:00-04:00"},
			},
		},
		{
			// An opening in New York's gap (02:30 on 8 March does not exist)
			// opens at 02:30 EST, which is 03:30 EDT.
			name: "New York, opening in the gap",
			w:    Window{Start: 2*time.Hour + 30*time.Minute, Length: time.Hour, Zone: newYork},
			at:   []string{"2026-03-08T07:29:00Z", "2026-03-08T07:30:00Z", "2026-03-08T08:29:00Z", "2026-03-08T08:30:00Z"},
			want: []probe{
				{"2026-03-08T03:29:00-04:00", false, "2026-03-08T03:30:00-04:00"},
				{"2026-03-08T03:30:00-04:00", true, "2026-03-08T03:30:00-04:00"},
				{"2026-03-08T04:29:00-04:00", true, "2026-03-08T04:29:00-04:00"},
				{"2026-03-08T04:30:00-04:00", false, "2026-03-09T02:30:00-04:00"},
			},
		},
		{
			// New York falls back on 1 November 2026 at 02:00 EDT: the window
			// opens at the first 01:00 (EDT) and closes 4 hours later, at
			// 04:00 EST.
			name: "New York, fall back",
			w:    Window{Start: time.Hour, Length: 4 * time.Hour, Zone: newYork},
			at:   []string{"2026-11-01T04:59:00Z", "2026-11-01T05:00:00Z", "2026-11-01T08:59:00Z", "2026-11-01T09:00:00Z"},
			want: []probe{
				{"2026-11-01T00:59:00-04:00", false, "2026-11-01T01:00:00-04:00"},
				{"2026-11-01T01:00:00-04:00", true, "2026-11-01T01:00:00-04:00"},
				{"2026-11-01T03:59:00-05:00", true, "2026-11-01T03:59:00-05:00"},
				{"2026-11-01T04:00:00-05:00", false, "2026-11-02T01:00:00-05:00"},
			},
		},
		{
			// A week-long window is always open.
			name: "168 hours",
			w:    Window{Days: []time.Weekday{time.Monday}, Length: 7 * 24 * time.Hour, Zone: time.UTC},
			at:   []string{"2026-11-24T09:00:00Z", "2026-11-30T00:00:00Z"},
			want: []probe{
				{"2026-11-24T09:00:00Z", true, "2026-11-24T09:00:00Z"},
				{"2026-11-30T00:00:00Z", true, "2026-11-30T00:00:00Z"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []probe
			for _, s := range tc.at {
				got = append(got, probeWindow(&tc.w, mustTime(s)))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("window (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWindowDSTLength: on every DST night of 2026 in London and New York a
// 01:00 + 4h window is open for exactly 4 hours of elapsed time.
func TestWindowDSTLength(t *testing.T) {
	nights := []struct {
		zone *time.Location
		day  string
	}{
		{london, "2026-03-29"}, {london, "2026-10-25"}, {newYork, "2026-03-08"}, {newYork, "2026-11-01"},
	}
	for _, n := range nights {
		w := Window{Start: time.Hour, Length: 4 * time.Hour, Zone: n.zone}
		midnight, err := time.ParseInLocation(time.DateOnly, n.day, n.zone)
		if err != nil {
			t.Fatal(err)
		}
		open := w.Open(midnight)
		end := open.Add(4 * time.Hour)
		if !w.Contains(end.Add(-time.Minute)) || w.Contains(end) {
			t.Errorf("%s %s: the window opening at %s does not close 4h later", n.zone, n.day, open)
		}
		inside := 0
		for m := midnight; m.Before(midnight.Add(12 * time.Hour)); m = m.Add(time.Minute) {
			if w.Contains(m) {
				inside++
			}
		}
		if inside != 4*60 {
			t.Errorf("%s %s: open %s, closes %s, %d minutes inside; want 4h", n.zone, n.day, open, end, inside)
		}
	}
}

// TestWindowOpenProperty: for any window and instant, Open(t) is inside the
// window, no minute sampled in [t, Open(t)) is, and Open(t) == t exactly
// when t is inside.
func TestWindowOpenProperty(t *testing.T) {
	bases := []time.Time{
		mustTime("2026-03-26T00:00:00Z"), mustTime("2026-10-22T00:00:00Z"),
		mustTime("2026-03-05T00:00:00Z"), mustTime("2026-10-29T00:00:00Z"),
		mustTime("2026-11-24T09:00:00Z"), mustTime("2027-12-30T00:00:00Z"),
	}
	rapid.Check(t, func(t *rapid.T) {
		w := genWindow(t)
		at := rapid.SampledFrom(bases).Draw(t, "base").Add(time.Duration(rapid.Int64Range(0, 7*24*3600).Draw(t, "seconds")) * time.Second)
		open := w.Open(at)
		switch {
		case open.Before(at):
			t.Fatalf("Open(%s) = %s is before it", at, open)
		case !w.Contains(open):
			t.Fatalf("Open(%s) = %s is not inside the window", at, open)
		case open.Equal(at) != w.Contains(at):
			t.Fatalf("Open(%s) = %s but Contains = %t", at, open, w.Contains(at))
		case open.Sub(at) > 8*24*time.Hour:
			t.Fatalf("Open(%s) = %s is more than 8 days away", at, open)
		}
		for m := at; m.Before(open); m = m.Add(time.Minute) {
			if w.Contains(m) {
				t.Fatalf("%s is inside the window but Open(%s) = %s", m, at, open)
			}
		}
	})
}
