package router

import "math/bits"

// MaxNodes is Pgpool-II's MAX_NUM_BACKENDS.
const MaxNodes = 128

// NodeSet is a set of node ids (Pgpool-II's where_to_send map).
type NodeSet [2]uint64

// Add adds node id.
func (s *NodeSet) Add(id int) { s[id>>6] |= 1 << (uint(id) & 63) }

// Remove removes node id.
func (s *NodeSet) Remove(id int) { s[id>>6] &^= 1 << (uint(id) & 63) }

// Has reports whether id is in the set.
func (s NodeSet) Has(id int) bool {
	return id >= 0 && id < MaxNodes && s[id>>6]&(1<<(uint(id)&63)) != 0
}

// Len is the number of nodes in the set.
func (s NodeSet) Len() int { return bits.OnesCount64(s[0]) + bits.OnesCount64(s[1]) }

// Empty reports whether the set has no node.
func (s NodeSet) Empty() bool { return s[0] == 0 && s[1] == 0 }

// First returns the lowest node id in the set (Pgpool-II's
// virtual_main_node_id) or -1.
func (s NodeSet) First() int {
	if s[0] != 0 {
		return bits.TrailingZeros64(s[0])
	}
	if s[1] != 0 {
		return 64 + bits.TrailingZeros64(s[1])
	}
	return -1
}

// Next returns the lowest id greater than id in the set, or -1. Iterate
// with: for id := s.First(); id >= 0; id = s.Next(id).
func (s NodeSet) Next(id int) int {
	id++
	if id < 64 {
		if w := s[0] >> uint(id); w != 0 {
			return id + bits.TrailingZeros64(w)
		}
		id = 64
	}
	if id < MaxNodes {
		if w := s[1] >> uint(id-64); w != 0 {
			return id + bits.TrailingZeros64(w)
		}
	}
	return -1
}

// Node is a snapshot of one backend slot as the router needs it.
type Node struct {
	// Valid: status up or connect-wait (VALID_BACKEND), as seen by this
	// session (a child may have marked a standby locally down).
	Valid bool
	// Weight is backend_weightN as configured (not normalised).
	Weight float64
	// Primary: this node is the primary.
	Primary bool
	// Delay is the replication delay: bytes, or microseconds when
	// DelayByTime.
	Delay       uint64
	DelayByTime bool
}

// Cluster is the node snapshot one routing decision uses.
type Cluster struct {
	// Nodes, indexed by node id; len is num_backends.
	Nodes []Node
	// PrimaryID is Req_info->primary_node_id (-1 none, -2 not yet known).
	PrimaryID int
	// MainID is the main node id: the lowest valid node.
	MainID int
}

// Primary returns PRIMARY_NODE_ID: the primary if it is valid, else the
// main node (reference §10 item 7).
func (c *Cluster) Primary() int {
	if c.PrimaryID >= 0 && c.PrimaryID < len(c.Nodes) && c.Nodes[c.PrimaryID].Valid {
		return c.PrimaryID
	}
	return c.MainID
}

func (c *Cluster) valid(id int) bool {
	return id >= 0 && id < len(c.Nodes) && c.Nodes[id].Valid
}

// totalWeight is the sum of configured weights of configured nodes, the
// denominator of Pgpool-II's normalisation.
func (c *Cluster) totalWeight() float64 {
	t := 0.0
	for i := range c.Nodes {
		t += c.Nodes[i].Weight
	}
	return t
}
