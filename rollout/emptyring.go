package rollout

import "strconv"

// ringHasHosts reports whether the rollout may enter ring nr as far as its
// size goes, adding the reason when it may not. A ring that is not the
// last exists to bake before the rings after it: when it selects none of
// the fleet's hosts, its bake would end on no evidence at all, and the
// next ring would be exposed as if a canary had passed. The rollout holds
// instead, and says why: fix the ring's selector (a plan that keeps the
// ring's name can be adopted) or the inventory, or start a new rollout
// under a plan without the ring. The last ring has no ring after it to
// protect; an empty last ring (every host taken by earlier rings) simply
// completes.
func (d *decider) ringHasHosts(nr int) bool {
	f := d.f
	if nr == len(f.plan.Rings)-1 || f.rings[nr].size > 0 {
		return true
	}
	var buf [160]byte
	b := append(buf[:0], "selects none of the fleet's "...)
	b = strconv.AppendInt(b, int64(len(f.hosts)), 10)
	b = append(b, " hosts: a canary that exposes no host proves nothing, so its bake cannot pass; holding (fix its selector or the inventory, or start a new rollout under a plan without it)"...)
	d.addBytes(f.plan.rules.rings[nr], f.plan.Rings[nr].Src, b)
	return false
}
