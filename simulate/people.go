package simulate

import (
	"fmt"
	"time"

	"github.com/ringwise/ringwise/rollout"
)

// crew is what the people of a run have seen and have to do: when the
// first host failed, and the boot-looped hosts awaiting hands-on repair
// in the order they failed.
type crew struct {
	firstFail  int // tick, -1 none
	repairs    []RepairStage
	repairQ    []int32
	repairHead int
	credit     float64 // repairs available and not yet spent
	recovering []int   // per fault: crashed hosts with a recovery under way (Herd)
}

// people stop the push by hand once they notice.
func (r *run) people(k int) {
	p := &r.sc.People
	if p.Notice <= 0 || r.firstFail < 0 {
		return
	}
	if int64(k-r.firstFail)*r.res < int64(p.Notice/time.Second) {
		return
	}
	switch r.st.Phase {
	case rollout.RolledBack:
		return
	case rollout.Halted:
		if p.Action != rollout.Rollback {
			return
		}
	}
	now := r.timeAt(k)
	r.st = stopByHand(r.st, p.Action, fmt.Sprintf("people noticed failures %s after the first one and stopped the push", fmtDur(p.Notice)), now)
	r.trimLog()
	r.halted()
	if p.Action == rollout.Rollback {
		r.rollback(k)
		r.deciding = false
	}
	r.changed()
}

// stopByHand halts or rolls back a rollout the way an operator does: a
// change of the state the caller owns, logged. (The rollout package has no
// call for a manual stop yet.)
func stopByHand(st rollout.State, a rollout.Action, reason string, now time.Time) rollout.State {
	stopped, err := rollout.Stop(st, a, "people", reason, now)
	if err != nil {
		return st // already rolled back: nothing to stop
	}
	return stopped
}

// repair spends the hands-on repair capacity of tick k on boot-looped
// hosts, in the order they failed.
func (r *run) repair(k int, resH float64) {
	if len(r.repairs) == 0 {
		return
	}
	rate := 0.0
	for _, st := range r.repairs {
		if int64(k)*r.res >= int64(st.From/time.Second) {
			rate = st.PerHour
		}
	}
	r.credit += rate * resH
	for r.credit >= 1 && r.repairHead < len(r.repairQ) {
		i := int(r.repairQ[r.repairHead])
		r.repairHead++
		if r.h[i].state == stBootLoop {
			r.recoverBoot(i, true)
			r.credit--
		}
	}
	if r.repairHead == len(r.repairQ) {
		r.credit = 0 // capacity not used is lost
		r.repairQ = r.repairQ[:0]
		r.repairHead = 0
	}
}
