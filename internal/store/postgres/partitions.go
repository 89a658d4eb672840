package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/id"
)

// The big tables are range partitioned by day on an id whose first ten
// characters after the prefix are the creation time in milliseconds (see
// internal/id and migration 0001).
var partitionedTables = []struct {
	table  string
	prefix string // prefix of the partition key's ids
}{
	// Attempts follow their delivery: same key prefix, same days.
	{"attempts", id.Delivery},
	{"deliveries", id.Delivery},
	{"events", id.Event},
}

// ddlLockTimeout bounds how long partition DDL waits for its lock. Creating
// or dropping a partition locks the parent table exclusively for a moment;
// waiting behind a long query would stall every insert queued behind the
// DDL, so it gives up instead and the next maintenance run tries again.
const ddlLockTimeout = "5s"

// idAlphabet is internal/id's Crockford base32 alphabet.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// idFloor returns the smallest id with prefix made at t or later: the
// prefix and t's milliseconds in internal/id's encoding. Every id made at
// or after t (to the millisecond) sorts at or after it.
func idFloor(prefix string, t time.Time) string {
	ms := t.UnixMilli()
	b := make([]byte, 0, len(prefix)+10)
	b = append(b, prefix...)
	for i := 9; i >= 0; i-- {
		b = append(b, idAlphabet[(ms>>(5*uint(i)))&31])
	}
	return string(b)
}

// day returns the UTC midnight that starts t's day.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// partitionName names table's partition for the day starting at d.
func partitionName(table string, d time.Time) string {
	return table + "_p" + d.Format("20060102")
}

// partitionDay parses the day out of a partition's name; ok is false for
// the default partition and anything else.
func partitionDay(table, name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, table+"_p")
	if !ok {
		return time.Time{}, false
	}
	d, err := time.Parse("20060102", rest)
	return d, err == nil
}

// EnsurePartitions makes sure that the big tables have a partition for
// every day from from's to to's (UTC), creating the missing ones. Rows
// already in a default partition for a new day's range (written while no
// partition covered it) are moved into the new partition. It is safe to
// run on many nodes at once.
func (s *Store) EnsurePartitions(ctx context.Context, from, to time.Time) error {
	if s.closed.Load() {
		return errClosed
	}
	existing := map[string]bool{}
	for _, pt := range partitionedTables {
		names, err := s.partitions(ctx, pt.table)
		if err != nil {
			return err
		}
		for _, n := range names {
			existing[n] = true
		}
	}
	for d := day(from); !d.After(day(to)); d = d.AddDate(0, 0, 1) {
		for _, pt := range partitionedTables {
			if existing[partitionName(pt.table, d)] {
				continue
			}
			if err := s.createPartition(ctx, pt.table, pt.prefix, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// partitions lists table's partitions by name, sorted.
func (s *Store) partitions(ctx context.Context, table string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = $1::regclass`, table)
	if err != nil {
		return nil, mapErr("list partitions", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, mapErr("list partitions", err)
	}
	sort.Strings(names)
	return names, nil
}

// createPartition creates table's partition for day d. Creations are
// serialised per schema with a transaction advisory lock, so concurrent
// nodes do not race on the catalog.
func (s *Store) createPartition(ctx context.Context, table, prefix string, d time.Time) error {
	name := partitionName(table, d)
	lo, hi := idFloor(prefix, d), idFloor(prefix, d.AddDate(0, 0, 1))
	bounds := fmt.Sprintf("FOR VALUES FROM ('%s') TO ('%s')", lo, hi) // ids are [0-9a-z_] only
	err := s.ddlTx(ctx, "create partition "+name, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+quoteIdent(name)+` PARTITION OF `+quoteIdent(table)+` `+bounds)
		return err
	})
	if code, _ := pgCode(err); code != codeCheckViolation {
		if err == nil {
			s.log.Debug("created partition", "partition", name, "schema", s.schema)
		}
		return err
	}
	// The default partition holds rows of this range: move them into a new
	// table and attach that instead, all in one transaction.
	err = s.ddlTx(ctx, "create partition "+name+" from the default partition", func(tx pgx.Tx) error {
		q := quoteIdent(name)
		if _, err := tx.Exec(ctx, `CREATE TABLE `+q+` (LIKE `+quoteIdent(table)+` INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`); err != nil {
			return err
		}
		key := "id"
		if table == "attempts" {
			key = "delivery_id"
		}
		tag, err := tx.Exec(ctx, `WITH moved AS (DELETE FROM `+quoteIdent(table+"_default")+` WHERE `+key+` >= $1 AND `+key+` < $2 RETURNING *)
			INSERT INTO `+q+` SELECT * FROM moved`, lo, hi)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `ALTER TABLE `+quoteIdent(table)+` ATTACH PARTITION `+q+` `+bounds); err != nil {
			return err
		}
		s.log.Info("created partition from rows in the default partition", "partition", name, "rows", tag.RowsAffected(), "schema", s.schema)
		return nil
	})
	return err
}

// ddlTx runs fn in a transaction that holds the schema's partition lock
// and waits at most ddlLockTimeout for table locks.
func (s *Store) ddlTx(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	return s.inTx(ctx, op, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryKey("lmshooks:partitions:"+s.schema)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '`+ddlLockTimeout+`'`); err != nil {
			return err
		}
		return fn(tx)
	})
}
