// Package config reads Pgpool-II's configuration files: pgpool.conf (with
// include and the parameter names of every 4.x release), pcp.conf,
// pool_hba.conf and pool_passwd.
//
// One parameter table (param.go, Params) describes every pgpool.conf
// parameter as Pgpool's pool_config_variables.c does: kind, compile-time
// default, range or options, unit, context (restart, reload, session),
// group, description, list separator, node index. Config has one exported
// field per scalar parameter, named mechanically from the Pgpool name
// (FieldName) and tagged `pgpool:"name"`; values are set and shown through
// reflection on that name, and TestTableAndStructAgree checks in both
// directions that the table and the struct cannot drift.
//
// Reading is in two steps: each line is tokenized with Pgpool's lexer rules
// (optional '=', single quotes that keep backslashes, '#' comments,
// integers with units), then the assignments are stored with
// gopkg.in/ini.v1 (shadow keys keep every assignment and its line, so later
// assignments win and every error names file:line). Values are converted
// and checked per parameter, then config_post_processor's cross checks run.
//
// A *Config is immutable once returned: Reload, WithSession and
// ResetSession build new ones. The router uses the parsed forms (Backends,
// HealthCheck, RedirectRule lists, anchored regexps); pkg/show uses Value,
// StatusRows, ShowAll and ShowGroup for SHOW pool_status and PGPOOL SHOW.
package config
