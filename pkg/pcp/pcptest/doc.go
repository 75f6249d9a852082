// Package pcptest provides a scripted pcp.Handler and a PCP server on free
// loopback ports for tests, as net/http/httptest does for HTTP.
package pcptest
