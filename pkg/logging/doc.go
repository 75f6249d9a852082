// Package logging builds the zerolog loggers of every pgpoold process from
// Pgpool-II's logging parameters: log_destination (stderr, syslog),
// log_line_prefix, log_min_messages, and a JSON format for log shippers.
//
// Events carry zerolog levels; the text format prints them with Pgpool's
// level words so that existing log greps keep working: Info is LOG (the
// lifecycle messages Pgpool prints at LOG), Warn WARNING, Error ERROR,
// Debug DEBUG1, Trace DEBUG2. Filtering follows Pgpool's server-log order
// (DEBUG5 < … < INFO < NOTICE < WARNING < ERROR < LOG < FATAL < PANIC), so
// log_min_messages = warning still shows LOG lines, as with Pgpool.
package logging
