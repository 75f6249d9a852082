package pcp

import (
	"fmt"
	"time"
)

// HealthCheckStatsRequest (H) asks for one node's health check statistics.
type HealthCheckStatsRequest struct {
	NodeID int
}

func (*HealthCheckStatsRequest) Type() byte { return 'H' }

func (src *HealthCheckStatsRequest) Encode(dst []byte) ([]byte, error) {
	return appendIDRequest(dst, 'H', src.NodeID)
}

func (dst *HealthCheckStatsRequest) Decode(src []byte) (err error) {
	dst.NodeID, err = decodeID('H', src)
	return err
}

// HealthCheckStats (h) is one node's health check statistics, the row of
// SHOW pool_health_check_stats (§1.5.3). Timestamps are strings in Pgpool's
// display form ("2006-01-02 15:04:05" local time, empty for never; see
// [FormatTime]); durations are milliseconds.
type HealthCheckStats struct {
	NodeID                    int
	Hostname                  string
	Port                      int
	Status                    string // "up", "waiting", "down", "unused", "quarantine"
	Role                      string // "primary", "standby", "main", "replica"
	LastStatusChange          string
	TotalCount                int64
	SuccessCount              int64
	FailCount                 int64
	SkipCount                 int64
	RetryCount                int64
	AverageRetryCount         float64
	MaxRetryCount             int64
	MaxDuration               int64 // ms
	MinDuration               int64 // ms
	AverageDuration           float64
	LastHealthCheck           string
	LastSuccessfulHealthCheck string
	LastSkipHealthCheck       string
	LastFailedHealthCheck     string
}

// timeLayout is C's "%Y-%m-%d %H:%M:%S" (%F %T), Pgpool's timestamp format.
const timeLayout = "2006-01-02 15:04:05"

// FormatTime formats t as Pgpool shows timestamps in PCP replies: local
// time, "%Y-%m-%d %H:%M:%S", and the empty string for the zero time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(timeLayout)
}

func (src *HealthCheckStats) Encode(dst []byte) []byte {
	dst, sp := beginPacket(dst, 'h')
	dst = appendCString(dst, commandComplete)
	dst = appendInt(dst, int64(src.NodeID))
	dst = appendCString(dst, src.Hostname)
	dst = appendInt(dst, int64(src.Port))
	dst = appendCString(dst, src.Status)
	dst = appendCString(dst, src.Role)
	dst = appendCString(dst, src.LastStatusChange)
	dst = appendInt(dst, src.TotalCount)
	dst = appendInt(dst, src.SuccessCount)
	dst = appendInt(dst, src.FailCount)
	dst = appendInt(dst, src.SkipCount)
	dst = appendInt(dst, src.RetryCount)
	dst = appendFloat(dst, src.AverageRetryCount)
	dst = appendInt(dst, src.MaxRetryCount)
	dst = appendInt(dst, src.MaxDuration)
	dst = appendInt(dst, src.MinDuration)
	dst = appendFloat(dst, src.AverageDuration)
	dst = appendCString(dst, src.LastHealthCheck)
	dst = appendCString(dst, src.LastSuccessfulHealthCheck)
	dst = appendCString(dst, src.LastSkipHealthCheck)
	dst = appendCString(dst, src.LastFailedHealthCheck)
	return finishPacket(dst, sp)
}

// Strings returns the 20 values as they travel, the form the
// non-verbose pcp_health_check_stats prints joined by spaces.
func (src *HealthCheckStats) Strings() []string {
	fields, _ := splitCStrings(src.Encode(nil)[headerLength:])
	return fields[1:]
}

func (dst *HealthCheckStats) Decode(src []byte) error {
	fields, err := splitCStrings(src)
	if err != nil {
		return malformed('h', err)
	}
	if len(fields) == 0 || fields[0] != commandComplete {
		tag := ""
		if len(fields) > 0 {
			tag = fields[0]
		}
		return malformed('h', fmt.Errorf("command failed with reason: %q", tag))
	}
	d := fieldDecoder{fields: fields[1:], what: "health check stats"}
	var s HealthCheckStats
	s.NodeID = d.int()
	s.Hostname = d.str()
	s.Port = d.int()
	s.Status = d.str()
	s.Role = d.str()
	s.LastStatusChange = d.str()
	s.TotalCount = d.int64()
	s.SuccessCount = d.int64()
	s.FailCount = d.int64()
	s.SkipCount = d.int64()
	s.RetryCount = d.int64()
	s.AverageRetryCount = d.float()
	s.MaxRetryCount = d.int64()
	s.MaxDuration = d.int64()
	s.MinDuration = d.int64()
	s.AverageDuration = d.float()
	s.LastHealthCheck = d.str()
	s.LastSuccessfulHealthCheck = d.str()
	s.LastSkipHealthCheck = d.str()
	s.LastFailedHealthCheck = d.str()
	if err := d.done(); err != nil {
		return malformed('h', err)
	}
	*dst = s
	return nil
}
