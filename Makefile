# pgpool-go build. `make` builds every program into bin/, `make test` runs all tests.
GO      ?= go
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
ETCDIR  ?= $(PREFIX)/etc
SANDBOX ?= $(CURDIR)/sandbox
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

PROGRAMS  = pgpoold pgpool-child sr-worker pcp
TOOLS     = pg_md5 pg_enc
PCP_LINKS = pcp_node_count pcp_node_info pcp_health_check_stats pcp_proc_count \
            pcp_proc_info pcp_pool_status pcp_detach_node pcp_attach_node \
            pcp_promote_node pcp_stop_pgpool pcp_reload_config pcp_recovery_node \
            pcp_log_rotate pcp_invalidate_query_cache pcp_watchdog_info

LDFLAGS = -X github.com/pgpool-go/pgpool-go/pkg/version.Build=$(VERSION) -X github.com/pgpool-go/pgpool-go/pkg/config.SysconfDir=$(ETCDIR)

.PHONY: all build test unit integration vet install sandbox bench clean

all: build

build:
	@mkdir -p bin
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/ $(addprefix ./cmd/,$(PROGRAMS))
	@for t in $(TOOLS); do if [ -d tools/$$t ]; then $(GO) build -ldflags '$(LDFLAGS)' -o bin/$$t ./tools/$$t || exit 1; fi; done
	@ln -sf pgpoold bin/pgpool
	@for l in $(PCP_LINKS); do ln -sf pcp bin/$$l; done

# The whole suite: unit tests, then integration tests on real PostgreSQL clusters.
test: vet build
	PGPOOLGO_BIN=$(CURDIR)/bin $(GO) test -count=1 -timeout 40m ./...

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /integration)

integration: build
	PGPOOLGO_BIN=$(CURDIR)/bin $(GO) test -count=1 -timeout 40m ./integration/...

vet:
	$(GO) vet ./...

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(ETCDIR)
	for p in $(PROGRAMS) $(TOOLS); do if [ -f bin/$$p ]; then install -m 0755 bin/$$p $(DESTDIR)$(BINDIR)/$$p; fi; done
	ln -sf pgpoold $(DESTDIR)$(BINDIR)/pgpool
	for l in $(PCP_LINKS); do ln -sf pcp $(DESTDIR)$(BINDIR)/$$l; done
	for f in etc/*; do if [ -f $$f ]; then install -m 0644 $$f $(DESTDIR)$(ETCDIR)/; fi; done
	install -m 0755 tools/pgpool_setup/pgpool_setup $(DESTDIR)$(BINDIR)/pgpool_setup

# A primary and a standby with pgpoold in front, in $(SANDBOX): pgpoold on
# 11000, PCP on 11001, PostgreSQL on 11002 and 11003, database test. Made
# once by tools/pgpool_setup; later runs start it again.
sandbox: build
	@if [ -x $(SANDBOX)/startall ]; then \
		echo "starting the sandbox in $(SANDBOX)"; $(SANDBOX)/startall; \
	else \
		mkdir -p $(SANDBOX) && cd $(SANDBOX) && PGPOOL_INSTALL_DIR=$(CURDIR) $(CURDIR)/tools/pgpool_setup/pgpool_setup --no-stop; \
	fi
	@echo "connect with: psql -p 11000 test    (stop with $(SANDBOX)/shutdownall)"

# Side-by-side pgbench: direct PostgreSQL, Pgpool-II, pgpoold (bin/pgpoold,
# same pgpool.conf), PgBouncer, and both pgpools in raw mode; 3 interleaved
# rounds x 20 s (about 30 min). Quick pass: make bench ARGS='-r 1 -T 10'.
# Options: bench/run.sh -h. Results in /tmp/bench-results-*/ (bench/README.md).
bench: build
	bench/run.sh $(ARGS)

clean:
	rm -rf bin
