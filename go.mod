module github.com/pgpool-go/pgpool-go

go 1.26
