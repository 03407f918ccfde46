// gen.go prints Go's own results for the cases in gofmt_cases.txt, one hex-encoded line per
// case, to gofmt_golden.txt: the golden file gofmt_test.cpp compares skiff's gofmt against.
//
//	go run gen.go < gofmt_cases.txt > gofmt_golden.txt
//
// Case lines (fields separated by a tab; blank lines and lines starting with # are skipped):
//
//	sprintf FORMAT(JSON string) ARGS(JSON array)
//	sprint  ARGS                 sprintln ARGS
//	v       VALUE(JSON)          quote    BYTES(hex)
//	float   VALUE FMT PREC       json     VALUE(JSON) ESCAPE_HTML(0|1)
//
// JSON numbers decode as Go's int when they are integers, float64 otherwise (skiff's model).
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func conv(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []interface{}:
		for i := range x {
			x[i] = conv(x[i])
		}
	case map[string]interface{}:
		for k := range x {
			x[k] = conv(x[k])
		}
	}
	return v
}

func decode(s string) interface{} {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v interface{}
	if err := d.Decode(&v); err != nil {
		panic(fmt.Sprintf("bad JSON %q: %v", s, err))
	}
	return conv(v)
}

func args(s string) []interface{} { return decode(s).([]interface{}) }

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		line := in.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		var out string
		switch f[0] {
		case "sprintf":
			var format string
			if err := json.Unmarshal([]byte(f[1]), &format); err != nil {
				panic(err)
			}
			out = fmt.Sprintf(format, args(f[2])...)
		case "sprint":
			out = fmt.Sprint(args(f[1])...)
		case "sprintln":
			out = fmt.Sprintln(args(f[1])...)
		case "v":
			out = fmt.Sprintf("%v", decode(f[1]))
		case "quote":
			b, err := hex.DecodeString(f[1])
			if err != nil {
				panic(err)
			}
			out = strconv.Quote(string(b))
		case "float":
			v, _ := strconv.ParseFloat(f[1], 64)
			p, _ := strconv.Atoi(f[3])
			out = strconv.FormatFloat(v, f[2][0], p, 64)
		case "json":
			var buf bytes.Buffer
			e := json.NewEncoder(&buf)
			e.SetEscapeHTML(f[2] == "1")
			if err := e.Encode(decode(f[1])); err != nil {
				out = "ERROR"
			} else {
				out = strings.TrimSuffix(buf.String(), "\n")
			}
		default:
			panic("unknown case kind " + f[0])
		}
		fmt.Println(hex.EncodeToString([]byte(out)))
	}
}
