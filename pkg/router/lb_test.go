package router

import (
	"math/rand/v2"
	"testing"
)

// TestSelectLoadBalancingNode has a case per step of §4.2.
func TestSelectLoadBalancingNode(t *testing.T) {
	cases := []struct {
		name    string
		weights []float64
		setup   func(t *testing.T, c *Cluster, o *Options)
		client  Client
		draws   []float64
		want    int
	}{
		{name: "weighted draw, cumulative in node order (low draw)", weights: []float64{1, 1, 2}, draws: []float64{0.5, 0.1}, want: 0},
		{name: "weighted draw (middle)", weights: []float64{1, 1, 2}, draws: []float64{0.5, 0.3}, want: 1},
		{name: "weighted draw (high)", weights: []float64{1, 1, 2}, draws: []float64{0.5, 0.99}, want: 2},
		{name: "weight 0 is never chosen", weights: []float64{0, 1, 0}, draws: []float64{0.5, 0.99}, want: 1},
		{name: "all weights 0: the primary (T12)", weights: []float64{0, 0, 0}, draws: []float64{0.5, 0.7}, want: 0},
		{name: "invalid nodes are skipped", weights: []float64{1, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			c.Nodes[2].Valid = false
		}, draws: []float64{0.5, 0.99}, want: 1},
		{name: "all candidates down: the primary", weights: []float64{0, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			c.Nodes[1].Valid, c.Nodes[2].Valid = false, false
		}, draws: []float64{0.5, 0.5}, want: 0},
		{name: "primary is node 1 and down: main node", weights: []float64{1, 0, 0}, setup: func(t *testing.T, c *Cluster, o *Options) {
			c.PrimaryID, c.Nodes[0].Primary, c.Nodes[1].Primary, c.Nodes[1].Valid = 1, false, true, false
			c.Nodes[0].Weight = 0
		}, draws: []float64{0.5, 0.5}, want: 0},
		{name: "database redirect to a node within ratio", weights: []float64{1, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DatabaseRedirects = mustRedirects(t, "postgres:1, reports:2(0.8)")
		}, client: Client{Database: "reports"}, draws: []float64{0.8, 0}, want: 2},
		{name: "database redirect beyond ratio excludes the node", weights: []float64{1, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DatabaseRedirects = mustRedirects(t, "reports:2(0.8)")
		}, client: Client{Database: "reports"}, draws: []float64{0.81, 0.99}, want: 1},
		{name: "redirect patterns are anchored and case-insensitive", weights: []float64{1, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DatabaseRedirects = mustRedirects(t, "rep:2, REPORT.*:1")
		}, client: Client{Database: "reports"}, draws: []float64{0.5, 0.99}, want: 1},
		{name: "redirect to a down node is ignored", weights: []float64{1, 1, 0}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DatabaseRedirects = mustRedirects(t, "db:2")
			c.Nodes[2].Valid = false
		}, client: Client{Database: "db"}, draws: []float64{0.5, 0.99}, want: 1},
		{name: "standby redirect picks a standby by weight", weights: []float64{10, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DatabaseRedirects = mustRedirects(t, "db:standby")
		}, client: Client{Database: "db"}, draws: []float64{0.5, 0.0}, want: 1},
		{name: "standby redirect beyond ratio: primary", weights: []float64{0, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DatabaseRedirects = mustRedirects(t, "db:standby(0.3)")
		}, client: Client{Database: "db"}, draws: []float64{0.31, 0.5}, want: 0},
		{name: "primary redirect", weights: []float64{0, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.UserRedirects = mustRedirects(t, "admin:primary")
		}, client: Client{User: "admin"}, draws: []float64{0.5}, want: 0},
		{name: "priority: app name over database over user", weights: []float64{1, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.UserRedirects = mustRedirects(t, "u:0")
			o.DatabaseRedirects = mustRedirects(t, "d:1")
			o.AppNameRedirects = mustRedirects(t, "psql:2")
		}, client: Client{User: "u", Database: "d", AppName: "psql"}, draws: []float64{0.5}, want: 2},
		{name: "priority: database over user", weights: []float64{1, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.UserRedirects = mustRedirects(t, "u:0")
			o.DatabaseRedirects = mustRedirects(t, "d:1")
		}, client: Client{User: "u", Database: "d"}, draws: []float64{0.5}, want: 1},
		{name: "first matching entry of a list wins", weights: []float64{1, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DatabaseRedirects = mustRedirects(t, "d.*:1, db:2")
		}, client: Client{Database: "db"}, draws: []float64{0.5}, want: 1},
		{name: "empty application name does not match", weights: []float64{1, 0, 0}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.AppNameRedirects = mustRedirects(t, ".*:2")
		}, client: Client{}, draws: []float64{0.5, 0.5}, want: 0},
		{name: "prefer_lower_delay_standby replaces a lagging choice", weights: []float64{0, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DelayThreshold, o.PreferLowerDelayStandby = 100, true
			c.Nodes[1].Delay, c.Nodes[2].Delay = 1000, 50
		}, draws: []float64{0.5, 0.1, 0.5}, want: 2},
		{name: "prefer_lower_delay_standby: ties by weight", weights: []float64{0, 1, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DelayThreshold, o.PreferLowerDelayStandby = 100, true
			c.Nodes[1].Delay, c.Nodes[2].Delay, c.Nodes[3].Delay = 1000, 20, 20
		}, draws: []float64{0.5, 0.1, 0.9}, want: 3},
		{name: "prefer_lower_delay_standby: all lagging gives the primary", weights: []float64{0, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DelayThreshold, o.PreferLowerDelayStandby = 100, true
			c.Nodes[1].Delay, c.Nodes[2].Delay = 1000, 2000
		}, draws: []float64{0.5, 0.1, 0.5}, want: 0},
		{name: "prefer_lower_delay_standby applies to a redirected node", weights: []float64{0, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DelayThreshold, o.PreferLowerDelayStandby = 100, true
			o.DatabaseRedirects = mustRedirects(t, "db:1")
			c.Nodes[1].Delay = 1000
		}, client: Client{Database: "db"}, draws: []float64{0.1, 0.5}, want: 2},
		{name: "delay_threshold_by_time is in ms against µs (T13)", weights: []float64{0, 1, 1}, setup: func(t *testing.T, c *Cluster, o *Options) {
			o.DelayThresholdByTime, o.PreferLowerDelayStandby = 2, true
			c.Nodes[1].Delay, c.Nodes[2].Delay = 2001, 1999
		}, draws: []float64{0.5, 0.1, 0.5}, want: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cluster(tc.weights...)
			o := DefaultOptions()
			if tc.setup != nil {
				tc.setup(t, c, o)
			}
			cl := tc.client
			if got := SelectLoadBalancingNode(c, o, &cl, seq(tc.draws...)); got != tc.want {
				t.Errorf("SelectLoadBalancingNode = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestSelectLoadBalancingNodeDistribution checks that weights translate
// into frequencies (1:1:2 over 40000 sessions).
func TestSelectLoadBalancingNodeDistribution(t *testing.T) {
	c := cluster(1, 1, 2)
	o := DefaultOptions()
	r := rand.New(rand.NewPCG(1, 2))
	var count [3]int
	const n = 40000
	for i := 0; i < n; i++ {
		count[SelectLoadBalancingNode(c, o, &Client{}, r.Float64)]++
	}
	for i, want := range []float64{0.25, 0.25, 0.5} {
		got := float64(count[i]) / n
		if got < want-0.02 || got > want+0.02 {
			t.Errorf("node %d chosen %.3f of the time, want %.2f", i, got, want)
		}
	}
}

func TestSessionLoadBalanceOff(t *testing.T) {
	s := &Session{Opts: &Options{}, Rand: seq(0.9)}
	c := cluster(0, 1, 1)
	c.PrimaryID = 2
	c.Nodes[0].Primary, c.Nodes[2].Primary = false, true
	s.Start(c)
	if s.LBNode != 2 {
		t.Fatalf("load_balance_mode off: LB node %d, want the primary 2", s.LBNode)
	}
}
