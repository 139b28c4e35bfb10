package simulate

import "slices"

// queue is a run's event queue: the hosts due at each tick, in the order
// they were queued. A host is in at most one bucket (its flQueued flag
// says so). Emptied buckets are pooled for reuse.
type queue struct {
	buckets [][]int32
	pool    [][]int32
}

// reset empties the queue for a run of ticks ticks, keeping its memory.
func (q *queue) reset(ticks int) {
	for t := range q.buckets {
		q.release(t)
	}
	if len(q.buckets) != ticks {
		q.buckets = make([][]int32, ticks)
	}
}

// add appends host i to tick t's bucket.
func (q *queue) add(i int32, t int) {
	b := q.buckets[t]
	if b == nil {
		b = q.pooled()
	}
	q.buckets[t] = append(b, i)
}

// pooled returns an empty bucket from the pool, or nil.
func (q *queue) pooled() []int32 {
	if len(q.pool) == 0 {
		return nil
	}
	b := q.pool[len(q.pool)-1][:0]
	q.pool = q.pool[:len(q.pool)-1]
	return b
}

// reserve makes room for n more hosts in tick t's bucket: a bucket too
// small is swapped for a pooled one big enough, or grown, and goes to the
// pool, so that runs after the first allocate no buckets.
func (q *queue) reserve(t, n int) {
	b := q.buckets[t]
	need := len(b) + n
	if cap(b) >= need {
		return
	}
	fit := slices.IndexFunc(q.pool, func(p []int32) bool { return cap(p) >= need })
	var nb []int32
	if fit >= 0 {
		nb = append(q.pool[fit][:0], b...)
		last := len(q.pool) - 1
		q.pool[fit] = q.pool[last]
		q.pool = q.pool[:last]
	} else {
		nb = slices.Grow(b[:len(b):len(b)], n)
	}
	if cap(b) > 0 {
		q.pool = append(q.pool, b[:0])
	}
	q.buckets[t] = nb
}

// release empties tick t's bucket into the pool.
func (q *queue) release(t int) {
	if b := q.buckets[t]; b != nil {
		q.pool = append(q.pool, b[:0])
		q.buckets[t] = nil
	}
}

// push queues host i at tick t (dropped beyond the horizon; a tick already
// past means the current one).
func (r *run) push(i, t int) {
	if t > r.ticks {
		return
	}
	r.q.add(int32(i), max(t, r.tick))
	r.h[i].flags |= flQueued
}

// process handles the hosts queued at tick k, including those queued for
// k while it runs.
func (r *run) process(k int) {
	now := r.timeAt(k)
	prefetch := len(r.h) >= touchHosts
	for x := 0; x < len(r.q.buckets[k]); x++ {
		if prefetch && x%touchBlock == 0 {
			r.touch(r.q.buckets[k][x:min(x+touchBlock, len(r.q.buckets[k]))])
		}
		i := int(r.q.buckets[k][x])
		r.h[i].flags &^= flQueued
		switch r.h[i].state {
		case stWaiting:
			r.checkIn(i, now)
		case stUpdated:
			if r.h[i].flags&flFault != 0 {
				r.onset(i, now)
			} else {
				r.revert(i, now)
			}
		case stCrashed:
			if r.h[i].flags&flRestart != 0 {
				r.reverted(i, stCrashed)
			} else if r.sc.Faults[r.faultOf(i)].RecoverAfter.IsZero() {
				r.revert(i, now)
			} else {
				r.recoverCrash(i, now)
			}
		case stBootLoop:
			r.recoverBoot(i, false)
		case stSilent, stDegraded:
			r.revert(i, now)
		}
	}
	r.q.release(k)
}

// touchBlock is how many queued hosts touch loads ahead; touchHosts the
// fleet size from which it pays (smaller fleets stay in the cache).
const touchBlock, touchHosts = 128, 1 << 18

// touch loads the memory of the hosts in block before they are handled:
// the loads are independent, so their cache misses overlap, where the
// handling of one host at a time would wait for each in turn.
func (r *run) touch(block []int32) {
	var sink uint8
	for _, i := range block {
		sink += r.h[i].state
		sink += uint8(r.fleet.RingOf(int(i)))
	}
	r.sink += sink
}
