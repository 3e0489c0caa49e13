// Package fake builds the records of SQS, Kinesis, DynamoDB Streams and
// Kafka events the way Lambda delivers them, with deterministic
// identifiers: the implementation behind the builders of package batchtest
// and the simulators of package esm, which share it.
package fake

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"time"
)

const (
	// Account is the AWS account id that builders and simulators put in
	// ARNs.
	Account = "123456789012"
	// Region is the AWS region that builders and simulators put in ARNs
	// and awsRegion fields.
	Region = "us-east-1"
)

// Epoch is the instant the simulated clock of every builder and simulator
// starts at, so that timestamps in events are the same on every run.
var Epoch = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// Gen produces deterministic pseudo-random identifiers (splitmix64), seeded
// from a name so that two builders of the same name produce the same ids.
type Gen struct{ state uint64 }

func NewGen(name string) Gen {
	h := fnv.New64a()
	h.Write([]byte(name))
	return Gen{state: h.Sum64()}
}

func (g *Gen) Next() uint64 {
	g.state += 0x9e3779b97f4a7c15
	z := g.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (g *Gen) Bytes(n int) []byte {
	b := make([]byte, 0, n+8)
	for len(b) < n {
		v := g.Next()
		for i := 0; i < 8; i++ {
			b = append(b, byte(v>>(8*i)))
		}
	}
	return b[:n]
}

// uuid returns a version-4-shaped UUID such as SQS message ids and Lambda
// request ids.
func (g *Gen) UUID() string {
	b := g.Bytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// hexID returns n random hex digits.
func (g *Gen) HexID(n int) string { return hex.EncodeToString(g.Bytes((n + 1) / 2))[:n] }

// receiptHandle returns an opaque string shaped like an SQS receipt handle.
func (g *Gen) ReceiptHandle() string {
	return "AQEB" + base64.StdEncoding.EncodeToString(g.Bytes(120))
}

// digits returns n decimal digits.
func (g *Gen) Digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.Next()%10)
	}
	return string(b)
}

func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func Millis(t time.Time) string { return fmt.Sprint(t.UnixMilli()) }

// hashSlot maps a key to one of n slots with the MD5 of the key, the way
// Kinesis maps a partition key to a shard's hash-key range.
func HashSlot(key string, n int) int {
	if n <= 1 {
		return 0
	}
	sum := md5.Sum([]byte(key))
	var hi uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(sum[i])
	}
	width := ^uint64(0)/uint64(n) + 1
	return int(hi / width)
}

func ShardName(i int) string { return fmt.Sprintf("shardId-%012d", i) }
