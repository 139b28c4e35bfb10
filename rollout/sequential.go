package rollout

import "math"

// The Sequential trigger is Wald's sequential probability ratio test for a
// Poisson rate, one-sided and open-ended, on cumulative counts.
//
// Let C be the number of events (e.g. crashes) among updated hosts and E
// their exposure in host-hours. Under a healthy update events arrive at
// rate λ0 = Rate per host-hour; the alternative is λ1 = Ratio·λ0. The
// log-likelihood ratio of the alternative against the null after (C, E) is
//
//	log Λ = C·log(Ratio) − (Ratio − 1)·λ0·E
//
// and the trigger fires when log Λ ≥ log(1/Alpha).
//
// Validity under continuous monitoring: under the null (and under any rate
// below λ0) Λ is a nonnegative supermartingale in exposure time with
// Λ(0) = 1, so by Ville's inequality P(Λ ever reaches 1/Alpha) ≤ Alpha.
// The bound holds however often the engine is asked and however the
// observations are spaced, because checking more often can only sample the
// same path at more points. The test has no lower boundary: it never
// "accepts" the update as healthy; bakes and healthy-report counts do that.
//
// Measured false-alarm rate (TestSequentialFalseAlarm): with Rate
// 0.001/host-hour, Ratio 2 and Alpha 0.01, checked every 20 host-hours up
// to 20,000, 0.61% of healthy rollouts fire (Poisson jumps overshoot the
// boundary, so the rate stays below Alpha).
//
// Detection power (TestSequentialPower): with the same settings a rate that
// has truly doubled fires with probability about 0.49 by 10,000 host-hours
// of exposure (about 100 hosts for 4 days) and about 0.95 by 30,000; the
// expected exposure to detection is about log(1/Alpha) /
// (λ1·log(Ratio) − (Ratio − 1)·λ0) ≈ 11,900 host-hours.

// sprtLogLR returns log Λ for count c over exposure hours.
func sprtLogLR(t *Trigger, c, hours float64) float64 {
	return c*math.Log(t.Ratio) - (t.Ratio-1)*t.Rate*hours
}

// sprtFires reports whether the sequential test rejects the healthy rate.
func sprtFires(t *Trigger, c, hours float64) bool {
	return sprtLogLR(t, c, hours) >= math.Log(1/t.Alpha)
}

// SPRTThreshold returns the smallest event count at which a Sequential
// trigger fires after hours of exposure: the count a reviewer can compare
// with a dashboard. It is exactly the count at which the engine fires: the
// boundary is solved in closed form and then checked against the engine's
// own test, so that a boundary within float rounding of a whole number
// does not come out one too high (or too low).
func SPRTThreshold(t Trigger, hours float64) float64 {
	c := math.Ceil((math.Log(1/t.Alpha) + (t.Ratio-1)*t.Rate*hours) / math.Log(t.Ratio))
	if !(t.Ratio > 1) || math.IsNaN(c) || math.IsInf(c, 0) || c < 0 || c > 1<<53 {
		return c // not a valid trigger, or no whole count to refine
	}
	// The closed form is off by at most one; a few steps either way settle it.
	for range 4 {
		if c > 0 && sprtFires(&t, c-1, hours) {
			c--
		} else if !sprtFires(&t, c, hours) {
			c++
		} else {
			break
		}
	}
	return c
}
