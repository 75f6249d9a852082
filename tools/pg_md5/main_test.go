package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/internal/testbin"
)

var ourBinary string

const theirBinary = "/usr/sbin/pg_md5"

func TestMain(m *testing.M) {
	testbin.Main(m, "pg_md5", func(dir string) error {
		ourBinary = filepath.Join(dir, "pg_md5")
		return nil
	})
}

type result struct {
	stdout, stderr string
	code           int
	poolPasswd     string // content after the run, if any
}

var pidRE = regexp.MustCompile(`pid [0-9]+:`)

// runIn runs bin in its own copy of the test directory (pgpool.conf and an
// input file), so that the pool_passwd each binary writes can be compared.
func runIn(t *testing.T, bin string, files map[string]string, args ...string) result {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "@DIR@", dir)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader("")
	var r result
	r.stdout, r.stderr, r.code = testbin.Run(t, cmd)
	if b, err := os.ReadFile(filepath.Join(dir, "pool_passwd")); err == nil {
		r.poolPasswd = string(b)
	}
	for _, s := range []*string{&r.stdout, &r.stderr} {
		*s = strings.ReplaceAll(*s, bin, "PROG")
		*s = strings.ReplaceAll(*s, dir, "DIR")
		*s = pidRE.ReplaceAllString(*s, "pid N:")
	}
	return r
}

func TestSameAsPgpoolPgMD5(t *testing.T) {
	if _, err := os.Stat(theirBinary); err != nil {
		t.Fatalf("Pgpool-II's pg_md5 is required (apt install pgpool2): %v", err)
	}
	long := strings.Repeat("a", 129)
	files := map[string]string{
		"pgpool.conf": "port = 9999\n",
		"in.txt":      "alice:secret\n\nbob:pw2\nnocolon\n:x\ncarol:\nlong:" + strings.Repeat("a", 200) + "\n",
		"pool_passwd": "alice:md5old\nzed:md5zzz\n",
	}
	tests := [][]string{
		{"secret"},
		{""},
		{"a", "b"},
		{"-u", "bob", "x"},
		{long},
		{strings.Repeat("a", 128)},
		{"-i", "in.txt"},
		{"-i", "missing.txt"},
		{"-m", "-u", "alice", "-f", "@DIR@/pgpool.conf", "secret"},
		{"-m", "-u", "bob", "-f", "@DIR@/pgpool.conf", "pw2"},
		{"--md5auth", "--username=carol", "--config-file", "@DIR@/pgpool.conf", "c"},
		{"-m", "-f", "@DIR@/pgpool.conf", "-i", "in.txt"},
		{"-m", "-u", "alice", "-f", "@DIR@/missing.conf", "x"},
		{"-u", long + "a", "x"},
		{"-p"},
		{},
		{"-h"},
		{"--help"},
		{"-z"},
		{"--bogus"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := runIn(t, theirBinary, files, append([]string{}, args...)...)
			got := runIn(t, ourBinary, files, append([]string{}, args...)...)
			if got != want {
				t.Errorf("differs from Pgpool-II's pg_md5\nPgpool-II's: %+v\nours:        %+v", want, got)
			}
		})
	}
}

// The -p prompt needs a terminal; script(1) provides one.
func TestPromptOnATerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatalf("script(1) from util-linux is required: %v", err)
	}
	run := func(bin string) string {
		cmd := exec.Command("script", "-qec", bin+" -p", "/dev/null")
		cmd.Stdin = strings.NewReader("secret\n")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s -p: %v", bin, err)
		}
		// The terminal echoes input that arrives before the prompt turns
		// echo off, at a moment that depends on start-up speed.
		return strings.Replace(string(out), "secret\r\n", "", 1)
	}
	want, got := run(theirBinary), run(ourBinary)
	if got != want || !strings.Contains(got, "5ebe2294ecd0e0f08eab7690d2a6ee69") {
		t.Errorf("pg_md5 -p on a terminal printed %q, Pgpool-II's %q", got, want)
	}
}
