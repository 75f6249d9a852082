package config

import (
	"fmt"
	"reflect"
)

// WithSession returns a copy of c with one SESSION-context parameter
// changed, for PGPOOL SET name = value. Errors carry Pgpool's texts:
// unrecognized configuration parameter "x"; invalid Context, value for
// parameter "x" cannot be changed; invalid value for parameter "x": "v".
func (c *Config) WithSession(name, value string) (*Config, error) {
	p, err := sessionParam(name)
	if err != nil {
		return nil, err
	}
	v, _, err := convert(p, value)
	if err != nil {
		pe := err.(*ParseError)
		pe.Param = name
		return nil, pe
	}
	nc := c.clone()
	setField(nc, p, v, value)
	return nc, nil
}

// ResetSession returns a copy of c with name set back to its value in base
// (the configuration loaded from the file), for PGPOOL SET name TO DEFAULT
// and PGPOOL RESET name.
func (c *Config) ResetSession(name string, base *Config) (*Config, error) {
	p, err := sessionParam(name)
	if err != nil {
		return nil, err
	}
	nc := c.clone()
	copyField(nc, base, p)
	return nc, nil
}

func sessionParam(name string) (*Param, error) {
	p, idx, err := resolve(name)
	if p == nil {
		return nil, &ParseError{Msg: fmt.Sprintf("unrecognized configuration parameter %q", name)}
	}
	if err != nil {
		return nil, &ParseError{Param: name, Msg: err.Error()}
	}
	if p.Context != ContextSession || idx >= 0 {
		return nil, &ParseError{Msg: fmt.Sprintf("invalid Context, value for parameter %q cannot be changed", name)}
	}
	return p, nil
}

func (c *Config) clone() *Config {
	nc := *c
	nc.raw = cloneMap(c.raw)
	nc.source = cloneMap(c.source)
	return &nc
}

// copyField copies p's field (and displayed text) from src to dst.
func copyField(dst, src *Config, p *Param) {
	f := p.Field()
	reflect.ValueOf(dst).Elem().FieldByName(f).Set(reflect.ValueOf(src).Elem().FieldByName(f))
	if r, ok := src.raw[p.Name]; ok {
		dst.raw[p.Name] = r
	}
	if s, ok := src.source[p.Name]; ok {
		dst.source[p.Name] = s
	}
}
