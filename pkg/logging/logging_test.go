package logging_test

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/logging"
)

func TestTextLinesFollowLogLinePrefix(t *testing.T) {
	var buf bytes.Buffer
	log, _, err := logging.New(logging.Options{LinePrefix: "%m: %a pid %p: %d %u %l %% ", MinMessages: "warning", App: "main"}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Info().Str("db", "test").Str("user", "alice").Str("node", "1").Err(errors.New("boom")).Str("hint", "restart it").Msg("node went down")
	out := buf.String()
	re := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \S+: main pid \d+: test alice 1 % LOG:  node went down node=1 error=boom\n`)
	if !re.MatchString(out) {
		t.Fatalf("line = %q", out)
	}
	if !strings.Contains(out, "HINT:  restart it\n") {
		t.Fatalf("no HINT line in %q", out)
	}
}

func TestMinMessagesFollowsPgpoolOrder(t *testing.T) {
	cases := []struct {
		min                       string
		debug, log, warning, errs bool
	}{
		{"warning", false, true, true, true},
		{"error", false, true, false, true},
		{"debug1", true, true, true, true},
		{"fatal", false, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.min, func(t *testing.T) {
			var buf bytes.Buffer
			log, _, _ := logging.New(logging.Options{MinMessages: c.min}, &buf)
			log.Debug().Msg("d")
			log.Info().Msg("l")
			log.Warn().Msg("w")
			log.Error().Msg("e")
			out := buf.String()
			for word, want := range map[string]bool{"DEBUG1:  d": c.debug, "LOG:  l": c.log, "WARNING:  w": c.warning, "ERROR:  e": c.errs} {
				if got := strings.Contains(out, word); got != want {
					t.Errorf("log_min_messages=%s: %q printed = %v, want %v", c.min, word, got, want)
				}
			}
		})
	}
}

func TestJSONPassesEventsThrough(t *testing.T) {
	var buf bytes.Buffer
	log, _, _ := logging.New(logging.Options{JSON: true, MinMessages: "warning"}, &buf)
	log.Info().Int("node", 1).Msg("failover done")
	if !strings.HasPrefix(buf.String(), "{") || !strings.Contains(buf.String(), `"node":1`) {
		t.Fatalf("json output = %q", buf.String())
	}
}

func TestLevelOverrideForNotice(t *testing.T) {
	var buf bytes.Buffer
	log, _, _ := logging.New(logging.Options{MinMessages: "notice"}, &buf)
	log.Info().Str(logging.KeyLevel, "notice").Msg("renamed parameter")
	if !strings.Contains(buf.String(), "NOTICE:  renamed parameter") {
		t.Fatalf("output = %q", buf.String())
	}
	buf.Reset()
	log, _, _ = logging.New(logging.Options{MinMessages: "warning"}, &buf)
	log.Info().Str(logging.KeyLevel, "notice").Msg("renamed parameter")
	if buf.Len() != 0 {
		t.Fatalf("NOTICE printed at log_min_messages=warning: %q", buf.String())
	}
}

func TestUnknownDestinationIsAnError(t *testing.T) {
	if _, _, err := logging.New(logging.Options{Destination: "eventlog"}, &bytes.Buffer{}); err == nil {
		t.Fatal("eventlog accepted")
	}
}
