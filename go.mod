module github.com/pgpool-go/pgpool-go

go 1.26

require (
	github.com/pganalyze/pg_query_go/v6 v6.2.5
	google.golang.org/protobuf v1.33.0
)
