package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// snapshotHeader starts a snapshot; the rest of its first line is the
// file the configuration was loaded from.
const snapshotHeader = "# pgpool-go configuration snapshot of "

// Snapshot renders c as pgpool.conf text that loads back to the same
// configuration. The supervisor writes it for its workers: a worker
// started (or restarted) later runs exactly the supervisor's
// configuration, even if pgpool.conf was edited without a reload — with
// Pgpool's fork model a child simply inherits its parent's memory.
func (c *Config) Snapshot() []byte {
	var b bytes.Buffer
	b.WriteString(snapshotHeader + c.File + "\n")
	for i := range paramTable {
		p := &paramTable[i]
		if p.Indexed {
			if p.NoIndex && p.Field() != "" {
				writeAssign(&b, p.Name, c.snapshotValue(p))
			}
			continue
		}
		if p.Field() == "" {
			continue
		}
		writeAssign(&b, p.Name, c.snapshotValue(p))
	}
	for i, be := range c.Backends {
		if !be.InUse() {
			continue
		}
		n := strconv.Itoa(i)
		writeAssign(&b, "backend_hostname"+n, be.Hostname)
		writeAssign(&b, "backend_port"+n, strconv.Itoa(be.Port))
		writeAssign(&b, "backend_weight"+n, strconv.FormatFloat(be.Weight, 'g', -1, 64))
		writeAssign(&b, "backend_data_directory"+n, be.DataDirectory)
		writeAssign(&b, "backend_flag"+n, be.Flag.String())
		writeAssign(&b, "backend_application_name"+n, be.ApplicationName)
	}
	for node, o := range c.hc {
		n := strconv.Itoa(node)
		writeInt := func(name string, v *int) {
			if v != nil {
				writeAssign(&b, name+n, strconv.Itoa(*v))
			}
		}
		writeStr := func(name string, v *string) {
			if v != nil {
				writeAssign(&b, name+n, *v)
			}
		}
		writeInt("health_check_period", o.Period)
		writeInt("health_check_timeout", o.Timeout)
		writeInt("health_check_max_retries", o.MaxRetries)
		writeInt("health_check_retry_delay", o.RetryDelay)
		writeInt("connect_timeout", o.ConnectTimeout)
		writeStr("health_check_user", o.User)
		writeStr("health_check_password", o.Password)
		writeStr("health_check_database", o.Database)
	}
	for i, w := range c.Watchdog {
		n := strconv.Itoa(i)
		writeAssign(&b, "hostname"+n, w.Hostname)
		writeAssign(&b, "wd_port"+n, strconv.Itoa(w.WdPort))
		writeAssign(&b, "pgpool_port"+n, strconv.Itoa(w.PgpoolPort))
	}
	for i, h := range c.Heartbeat {
		n := strconv.Itoa(i)
		writeAssign(&b, "heartbeat_hostname"+n, h.Hostname)
		writeAssign(&b, "heartbeat_port"+n, strconv.Itoa(h.Port))
		writeAssign(&b, "heartbeat_device"+n, h.Device)
	}
	return b.Bytes()
}

// snapshotValue is p's value in a form Load reads back unchanged.
func (c *Config) snapshotValue(p *Param) string {
	f := c.field(p)
	switch p.Kind {
	case KindBool:
		if f.Bool() {
			return "on"
		}
		return "off"
	case KindInt:
		return strconv.FormatInt(f.Int(), 10)
	case KindReal:
		return strconv.FormatFloat(f.Float(), 'g', -1, 64)
	case KindList:
		if r, ok := c.raw[p.Name]; ok {
			return r
		}
		sep := p.Separator
		if sep == "" {
			sep = ","
		}
		return strings.Join(f.Interface().([]string), sep)
	}
	if r, ok := c.raw[p.Name]; ok {
		return r
	}
	return f.String()
}

// writeAssign writes name = 'value', doubling quotes inside (the one
// escape our reader accepts beyond Pgpool's).
func writeAssign(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	b.WriteString(" = '")
	b.WriteString(strings.ReplaceAll(value, "'", "''"))
	b.WriteString("'\n")
}

// LoadSnapshot reads a snapshot written from Snapshot. File and Dir are
// those of the original configuration, so relative paths (pool_passwd,
// pid_file_name) resolve as they did for the supervisor.
func LoadSnapshot(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration snapshot: %w", err)
	}
	first, _ := bufio.NewReader(bytes.NewReader(data)).ReadString('\n')
	orig, ok := strings.CutPrefix(strings.TrimRight(first, "\n"), snapshotHeader)
	if !ok {
		return nil, fmt.Errorf("%s is not a pgpool-go configuration snapshot", path)
	}
	c, _, err := LoadString(orig, string(data))
	if err != nil {
		return nil, fmt.Errorf("load configuration snapshot %s: %w", path, err)
	}
	return c, nil
}
