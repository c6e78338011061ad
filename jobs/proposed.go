package jobs

import (
	"maps"
	"slices"
	"sync"

	"chuyenhoa/rules"
)

// proposed holds the proposals worked out in one round (Round): the
// candidates job and the cycle both propose the year's areas over the same
// reference year, nearly always among the same communes, and a national
// proposal is the largest piece of a round's rules.
type proposed struct {
	mu   sync.Mutex
	done []*proposal
}

// proposal is one rules.Propose of a round, its inputs and, once ready
// is closed, its result.
type proposal struct {
	p      rules.SelectionParams
	units  []rules.Unit
	counts map[string]rules.Counts
	ready  chan struct{}
	out    rules.Proposal
	failed bool // Propose panicked: a job waiting for it works it out itself
}

// propose is rules.Propose, worked out once per round for the same
// inputs: a job asking for a proposal being worked out by another waits
// for it. The inputs are compared, not trusted to a key: two days' units
// or sums are equal only when they are.
func (r *Runner) propose(p rules.SelectionParams, units []rules.Unit, counts map[string]rules.Counts) rules.Proposal {
	pr := r.proposed
	if pr == nil {
		return rules.Propose(p, units, counts)
	}
	pr.mu.Lock()
	for _, x := range pr.done {
		if x.p == p && slices.Equal(x.units, units) && maps.Equal(x.counts, counts) {
			pr.mu.Unlock()
			if <-x.ready; x.failed {
				return rules.Propose(p, units, counts)
			}
			return cloneProposal(x.out)
		}
	}
	x := &proposal{p: p, units: units, counts: counts, ready: make(chan struct{})}
	pr.done = append(pr.done, x)
	pr.mu.Unlock()
	done := false
	defer func() {
		x.failed = !done
		close(x.ready)
	}()
	x.out = rules.Propose(p, units, counts)
	done = true
	return cloneProposal(x.out)
}

// cloneProposal is a proposal whose candidates a job may reorder or
// change without changing another job's. What they point to (each
// candidate's Complex, the Baseline's districts) is shared, as the
// round's other values are: the rules only read them.
func cloneProposal(p rules.Proposal) rules.Proposal {
	p.Candidates = slices.Clone(p.Candidates)
	return p
}
