package crashtest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// state is what a key (or a part number of an upload) holds: nothing, or
// one body.
type state struct {
	Present bool
	Content contentID
}

// absent is the state of a missing key.
var absent = state{}

func present(id contentID) state { return state{Present: true, Content: id} }

func (s state) String() string {
	if !s.Present {
		return "absent"
	}
	return s.Content.String()
}

// A write is one operation that may change one key. Its Start and Ack are
// instants of the ledger's logical clock, taken just before the request is
// sent and just after its response arrived, so that Y.Start > X.Ack means
// the server finished X before it saw Y.
type write struct {
	Kind string // "put", "delete", "copy", "complete"; "part", "part copy" in the parts ledger
	Key  string
	Note string // detail for failure messages, e.g. "from key-07"

	Start uint64
	Ack   uint64 // 0 while unacknowledged
	// Result is the state the acknowledged write left.
	Result state
	// outcomes lists the states the write may have left if it took effect
	// without being acknowledged (it was in flight at the kill). Each kind
	// supplies its own. It is called with the ledger locked and may ask the
	// ledger about other keys through the walk.
	outcomes func(wk *walk, self *write) []state
}

func (w *write) String() string {
	s := fmt.Sprintf("%s %s", w.Kind, w.Key)
	if w.Note != "" {
		s += " " + w.Note
	}
	if w.Ack == 0 {
		return fmt.Sprintf("%s [started %d, never acknowledged]", s, w.Start)
	}
	return fmt.Sprintf("%s [started %d, acknowledged %d -> %s]", s, w.Start, w.Ack, w.Result)
}

// candidate is an acceptable state with the reason it is acceptable.
type candidate struct {
	State state
	Why   string
}

// ledger records, per key, the state observed at the start of a round and
// every write of the round, and decides which states a read after a crash
// may return. Safe for concurrent use.
type ledger struct {
	mu    sync.Mutex
	clock uint64
	base  map[string]state
	keys  map[string][]*write
}

func newLedger() *ledger {
	return &ledger{base: map[string]state{}, keys: map[string][]*write{}}
}

// startRound forgets the writes of the last round and takes observed as
// every key's state; keys not in observed are absent.
func (l *ledger) startRound(observed map[string]state) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.base = observed
	l.keys = map[string][]*write{}
}

// begin records a write about to be sent and returns it.
func (l *ledger) begin(kind, key, note string, outcomes func(*walk, *write) []state) *write {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clock++
	w := &write{Kind: kind, Key: key, Note: note, Start: l.clock, outcomes: outcomes}
	l.keys[key] = append(l.keys[key], w)
	return w
}

// acknowledge records that w succeeded, leaving result.
func (l *ledger) acknowledge(w *write, result state) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clock++
	w.Ack, w.Result = l.clock, result
}

// withdraw forgets w: the server answered that it changed nothing (a copy
// whose source was missing).
func (l *ledger) withdraw(w *write) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys[w.Key] = slices.DeleteFunc(l.keys[w.Key], func(x *write) bool { return x == w })
}

// now is the current instant of the logical clock.
func (l *ledger) now() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.clock
}

// acceptable returns the states a read of key may return now that no
// write is running: those of writes that may have been linearised last.
func (l *ledger) acceptable(key string) []candidate {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.newWalk().at(key, never)
}

// possibleDuring returns the states key may have held at some instant
// between from and to; a copy acknowledged at to read one of them.
func (l *ledger) possibleDuring(key string, from, to uint64) []candidate {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.newWalk().during(key, from, to)
}

// inFlight counts the writes of the round never acknowledged.
func (l *ledger) inFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, ws := range l.keys {
		for _, w := range ws {
			if w.Ack == 0 {
				n++
			}
		}
	}
	return n
}

// cutShort counts the writes of key never acknowledged, and how many of
// them may have left s: a summary of which outcomes a run covered.
func (l *ledger) cutShort(key string, s state) (n, left int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	wk := l.newWalk()
	for _, w := range l.keys[key] {
		if w.Ack != 0 {
			continue
		}
		n++
		if slices.Contains(states(wk.outcomes(w)), s) {
			left++
		}
	}
	return n, left
}

// history describes every write of the round to key, for failure messages.
func (l *ledger) history(key string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "  state before the round: %s\n", l.base[key])
	for _, w := range l.keys[key] {
		fmt.Fprintf(&b, "  %s\n", w)
	}
	return b.String()
}

// never is an instant after every write: no write is acknowledged later.
const never = ^uint64(0)

// walk answers questions about the ledger for one query, with the ledger
// locked. It tracks the unacknowledged writes whose outcomes are being
// computed, so that copies in flight between the same keys in both
// directions do not recurse forever (a cycle adds no new state).
type walk struct {
	l        *ledger
	visiting map[*write]bool
}

func (l *ledger) newWalk() *walk { return &walk{l: l, visiting: map[*write]bool{}} }

// at returns the states a read of key at instant t may return: the result
// of every write acknowledged by t that no other write acknowledged by t
// must follow (one that started after it was acknowledged), the outcomes
// of every write started by t and not acknowledged by then, and the
// round's initial state if no write was acknowledged by t.
func (w *walk) at(key string, t uint64) []candidate {
	var out []candidate
	writes := w.l.keys[key]
	ackedBy := func(x *write) bool { return x.Ack != 0 && x.Ack <= t }
	anyAcked := false
	for _, x := range writes {
		if x.Start > t {
			continue
		}
		if !ackedBy(x) {
			out = append(out, w.outcomes(x)...)
			continue
		}
		anyAcked = true
		superseded := slices.ContainsFunc(writes, func(y *write) bool { return ackedBy(y) && y.Start > x.Ack })
		if !superseded {
			out = append(out, candidate{x.Result, "last acknowledged: " + x.String()})
		}
	}
	if !anyAcked {
		out = append(out, candidate{w.l.base[key], "state before the round"})
	}
	return dedupe(out)
}

// during returns the states key may have held at some instant in [from, to]:
// those it may have held at from, and the possible results of every write
// started in between.
func (w *walk) during(key string, from, to uint64) []candidate {
	out := w.at(key, from)
	for _, x := range w.l.keys[key] {
		if x.Start <= from || x.Start > to {
			continue
		}
		if x.Ack != 0 && x.Ack <= to {
			out = append(out, candidate{x.Result, "written meanwhile: " + x.String()})
		} else {
			out = append(out, w.outcomes(x)...)
		}
	}
	return dedupe(out)
}

// outcomes returns the states the write x, in flight at the instant asked
// about, may have left: its result if it was acknowledged later, else what
// its kind says.
func (w *walk) outcomes(x *write) []candidate {
	if x.Ack != 0 {
		return []candidate{{x.Result, "in flight, later acknowledged: " + x.String()}}
	}
	if w.visiting[x] {
		return nil
	}
	w.visiting[x] = true
	defer delete(w.visiting, x)
	var out []candidate
	for _, s := range x.outcomes(w, x) {
		out = append(out, candidate{s, "in flight: " + x.String()})
	}
	return out
}

// dedupe keeps the first candidate of each state.
func dedupe(cs []candidate) []candidate {
	seen := map[state]bool{}
	return slices.DeleteFunc(cs, func(c candidate) bool {
		if seen[c.State] {
			return true
		}
		seen[c.State] = true
		return false
	})
}

// states returns the states of cs.
func states(cs []candidate) []state {
	out := make([]state, len(cs))
	for i, c := range cs {
		out[i] = c.State
	}
	return out
}

// describe lists cs one per line, for failure messages.
func describe(cs []candidate) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "  %s (%s)\n", c.State, c.Why)
	}
	return b.String()
}
