package logging

import (
	"strings"

	"github.com/rs/zerolog"
)

// rank orders Pgpool's message levels for the server log (elog.c).
var rank = map[string]int{
	"debug5": 10, "debug4": 11, "debug3": 12, "debug2": 13, "debug1": 14, "debug": 14,
	"info": 17, "notice": 18, "warning": 19, "error": 20, "log": 21, "fatal": 22, "panic": 23,
}

// levelWord is the text printed for an event of a zerolog level.
var levelWord = map[zerolog.Level]string{
	zerolog.TraceLevel: "DEBUG2", zerolog.DebugLevel: "DEBUG1", zerolog.InfoLevel: "LOG",
	zerolog.WarnLevel: "WARNING", zerolog.ErrorLevel: "ERROR", zerolog.FatalLevel: "FATAL",
	zerolog.PanicLevel: "PANIC",
}

// ValidMinMessages reports whether s is a log_min_messages value.
func ValidMinMessages(s string) bool { _, ok := rank[strings.ToLower(s)]; return ok }

// zerologLevel is the cheapest zerolog level that still produces every
// event the threshold lets through; finer filtering happens in the writer.
func zerologLevel(minMessages string) zerolog.Level {
	switch r := rank[strings.ToLower(minMessages)]; {
	case r == 0:
		return zerolog.InfoLevel
	case r <= rank["debug2"]:
		return zerolog.TraceLevel
	case r <= rank["debug1"]:
		return zerolog.DebugLevel
	default:
		return zerolog.InfoLevel
	}
}

// wordRank is the rank of a printed level word.
func wordRank(word string) int { return rank[strings.ToLower(word)] }
