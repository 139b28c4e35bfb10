package simulate

import "slices"

// queue is a run's event queue: the hosts due at each tick, in the order
// they were queued. A host is in at most one bucket (its flQueued flag
// says so). Emptied buckets are pooled for reuse.
type queue struct {
	buckets [][]int32
	pool    [][]int32
}

func newQueue(ticks int) queue { return queue{buckets: make([][]int32, ticks)} }

// add appends host i to tick t's bucket.
func (q *queue) add(i int32, t int) {
	b := q.buckets[t]
	if b == nil && len(q.pool) > 0 {
		b = q.pool[len(q.pool)-1][:0]
		q.pool = q.pool[:len(q.pool)-1]
	}
	q.buckets[t] = append(b, i)
}

// reserve makes room for n more hosts in tick t's bucket.
func (q *queue) reserve(t, n int) { q.buckets[t] = slices.Grow(q.buckets[t], n) }

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
	for x := 0; x < len(r.q.buckets[k]); x++ {
		if x%touchBlock == 0 {
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

// touchBlock is how many queued hosts touch loads ahead.
const touchBlock = 128

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

// sortInt32 sorts positions (radix sort for large slices, with buf,
// which it returns grown for reuse).
func sortInt32(a, buf []int32) []int32 {
	if len(a) < 1<<12 {
		slices.Sort(a)
		return buf
	}
	buf = slices.Grow(buf[:0], len(a))[:len(a)]
	src, dst := a, buf
	for shift := uint(0); shift < 32; shift += 16 {
		var count [1<<16 + 1]int
		for _, v := range src {
			count[(uint32(v)>>shift)&0xffff+1]++
		}
		for x := 1; x < len(count); x++ {
			count[x] += count[x-1]
		}
		for _, v := range src {
			d := (uint32(v) >> shift) & 0xffff
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
	}
	return buf
}
