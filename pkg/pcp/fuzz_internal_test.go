package pcp

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func FuzzPacketReader(f *testing.F) {
	seed, _ := (&NodeInfoRequest{NodeID: -1}).Encode(nil)
	seed, _ = (&Terminate{}).Encode(seed)
	f.Add(seed, true)
	f.Add([]byte{'L', 0, 0, 1, 4}, true)
	f.Add([]byte{'i', 0, 0, 0, 4}, false)
	f.Add([]byte{'i', 0x7f, 0xff, 0xff, 0xff, 0}, false)
	f.Fuzz(func(t *testing.T, data []byte, request bool) {
		limit := MaxReplyLength
		if request {
			limit = MaxRequestLength
		}
		pr := newPacketReader(bytes.NewReader(data))
		for {
			_, payload, err := pr.next(limit)
			if err != nil {
				return
			}
			if len(payload)+4 >= limit {
				t.Fatalf("payload of %d bytes passed limit %d", len(payload), limit)
			}
		}
	})
}

func FuzzDecodeRequest(f *testing.F) {
	for typ, newReq := range requestTypes {
		if newReq == nil {
			continue
		}
		pkt, err := newReq().Encode(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(byte(typ), pkt[headerLength:])
	}
	f.Add(byte('J'), []byte("2 \x00s"))
	f.Add(byte('R'), []byte("pgpool\x000123456789abcdef0123456789abcdef\x00"))
	f.Add(byte('A'), []byte("client_min_messages\x00debug1\x00"))
	f.Add(byte('I'), []byte("-1\x00"))
	f.Fuzz(func(t *testing.T, typ byte, payload []byte) {
		req, err := DecodeRequest(typ, payload)
		if err != nil {
			var ue *UnknownPacketError
			var me *MalformedError
			if !errors.As(err, &ue) && !errors.As(err, &me) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if req.Type() != typ {
			t.Fatalf("decoded %T reports type %q, read as %q", req, req.Type(), typ)
		}
		// What we decode, we can send again and read back the same.
		pkt, err := req.Encode(nil)
		if err != nil {
			var le *LengthError
			if errors.As(err, &le) {
				return
			}
			t.Fatalf("re-encode %#v: %v", req, err)
		}
		again, err := DecodeRequest(pkt[0], pkt[headerLength:])
		if err != nil {
			t.Fatalf("decode re-encoded %#v: %v", req, err)
		}
		if !reflect.DeepEqual(req, again) {
			t.Fatalf("round trip changed %#v into %#v", req, again)
		}
	})
}

func FuzzDecodeReply(f *testing.F) {
	node := NodeInfo{Hostname: "h", Port: 1, PGStatus: "up", PGRole: "primary"}
	proc := ProcessInfo{PID: 1, Status: "Idle"}
	stats := HealthCheckStats{Status: "up"}
	w := WatchdogInfo{Nodes: []WatchdogNode{{NodeName: "n"}}}
	wpkt, _ := w.Encode(nil)
	for _, pkt := range [][]byte{
		node.Encode(nil, Layout43), node.Encode(nil, Layout47), proc.Encode(nil, Layout43),
		proc.Encode(nil, Layout45), proc.Encode(nil, Layout47), stats.Encode(nil), wpkt,
		(&NodeCount{Count: 2}).Encode(nil), (&ProcessCount{PIDs: []int{1, 2}}).Encode(nil),
		(&StatusRow{Name: "a", Value: "b", Desc: "c"}).Encode(nil),
		(&ArraySize{Type: 'b', Size: 3}).Encode(nil), (&ArraySize{Type: 'i', Size: 3}).Encode(nil),
		(&Error{Severity: "ERROR", Message: "m", Detail: "d"}).Encode(nil, false),
		(&Salt{}).Encode(nil), (&AuthenticationOK{}).Encode(nil), (&CommandComplete{Type: 'c'}).Encode(nil),
	} {
		f.Add(pkt[0], pkt[headerLength:])
	}
	f.Fuzz(func(t *testing.T, typ byte, payload []byte) {
		// Every reply decoder must cope with any payload.
		var n NodeInfo
		if l, err := n.decode(payload); err == nil && l == LayoutUnknown {
			t.Fatal("node info decoded without a layout")
		}
		var p ProcessInfo
		if l, err := p.decode(payload); err == nil && l == LayoutUnknown {
			t.Fatal("process info decoded without a layout")
		}
		(&HealthCheckStats{}).Decode(payload)
		(&NodeCount{}).Decode(payload)
		(&ProcessCount{}).Decode(payload)
		(&StatusRow{}).Decode(payload)
		(&ArraySize{Type: typ}).Decode(payload)
		(&WatchdogInfo{}).Decode(payload)
		(&Error{}).Decode(payload)
		(&Salt{}).Decode(payload)
		(&AuthenticationOK{}).Decode(payload)
		(&CommandComplete{Type: typ}).Decode(payload)
		if _, _, err := replyTag(payload); err == nil {
			splitCStrings(payload)
		}
	})
}
