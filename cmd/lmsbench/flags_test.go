package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func TestDefaultsPublishOneEventPerRequestFrom32Publishers(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.mode != "throughput" || o.batch != 1 || o.publishers != 32 || o.webhooks != 1 || o.events != 100000 || !o.reference || o.runs != 1 || o.history != 0 {
		t.Fatalf("defaults: %+v", o)
	}
}

func TestFanoutDefaultsToAThousandWebhooksUnlessTold(t *testing.T) {
	o, err := parseFlags([]string{"-mode", "fanout"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.webhooks != 1000 || o.events != 100 || !o.reference {
		t.Fatalf("fanout defaults: %+v", o)
	}
	o, err = parseFlags([]string{"-mode", "fanout", "-webhooks", "50", "-events", "7"}, io.Discard)
	if err != nil || o.webhooks != 50 || o.events != 7 {
		t.Fatalf("fanout with flags: %+v, %v", o, err)
	}
}

func TestOnlyThroughputAndFanoutRunTheReference(t *testing.T) {
	for _, mode := range []string{"latency", "direct"} {
		o, err := parseFlags([]string{"-mode", mode}, io.Discard)
		if err != nil || o.reference {
			t.Errorf("-mode %s: reference %v, %v", mode, o.reference, err)
		}
	}
	o, err := parseFlags([]string{"-reference=false"}, io.Discard)
	if err != nil || o.reference {
		t.Errorf("-reference=false: %v, %v", o.reference, err)
	}
}

func TestBatchesHistoryRunsAndJSONAreOptions(t *testing.T) {
	o, err := parseFlags([]string{"-batch", "100", "-publishers", "4", "-history", "10000000", "-runs", "3", "-json",
		"-db", "postgres://u@h/db?search_path=bench", "-drop-schema", "-dispatchers", "2", "-role", "api"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.batch != 100 || o.publishers != 4 || o.history != 10_000_000 || o.runs != 3 || !o.json || !o.dropSchema || o.dispatchers != 2 || o.role != "api" {
		t.Fatalf("options: %+v", o)
	}
}

func TestOrderingRunsTheUnorderedBaselineUnlessTold(t *testing.T) {
	o, err := parseFlags([]string{"-ordering", "key", "-keys", "500"}, io.Discard)
	if err != nil || o.ordering != "key" || o.keys != 500 || !o.baseline || o.orderingKeys() != 500 {
		t.Fatalf("-ordering key -keys 500: %+v, %v", o, err)
	}
	o, err = parseFlags([]string{"-ordering", "key", "-baseline=false"}, io.Discard)
	if err != nil || o.baseline || o.keys != 1000 {
		t.Fatalf("-baseline=false: %+v, %v", o, err)
	}
	o, err = parseFlags(nil, io.Discard)
	if err != nil || o.ordering != "none" || o.baseline || o.orderingKeys() != 0 {
		t.Fatalf("defaults: %+v, %v", o, err)
	}
}

func TestBadFlagsSayWhatIsWrong(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-mode", "burst"}, "-mode"},
		{[]string{"-batch", "0"}, "at least 1"},
		{[]string{"-publishers", "0"}, "at least 1"},
		{[]string{"-runs", "0"}, "at least 1"},
		{[]string{"-mode", "latency", "-rate", "0"}, "-rate"},
		{[]string{"-history", "-1"}, "-history"},
		{[]string{"-mode", "direct", "-history", "1000"}, "-history"},
		{[]string{"-dispatchers", "2"}, "PostgreSQL"},
		{[]string{"-drop-schema"}, "PostgreSQL"},
		{[]string{"-db", "sqlite:x.db", "-drop-schema"}, "PostgreSQL"},
		{[]string{"-role", "api"}, "-dispatchers"},
		{[]string{"-role", "worker"}, "-role"},
		{[]string{"-timeout", "0s"}, "-timeout"},
		{[]string{"extra"}, "unexpected"},
		{[]string{"-batch", "many"}, "invalid value"},
		{[]string{"-ordering", "fifo"}, "-ordering"},
		{[]string{"-ordering", "key", "-keys", "0"}, "-keys"},
		{[]string{"-mode", "direct", "-ordering", "key"}, "-ordering"},
	} {
		_, err := parseFlags(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one saying %q", c.args, err, c.want)
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
