package flags

import (
	"encoding/binary"
	"errors"
	"strings"
)

// A reader of the SQLite file format (https://www.sqlite.org/fileformat.html),
// for the one query a hook makes at its start: every row of the kv table.
// Reading the file directly costs a few system calls where opening an SQLite
// connection costs milliseconds (docs/design.md, "A steady-state hook writes
// nothing"). It reads only what charm-helpers and this package create: a
// rollback-journal database in UTF-8 whose kv table has exactly their
// schema, with TEXT keys and TEXT or NULL values. Anything else (another
// schema, a WAL database, a value of another type, a page it cannot make
// sense of) is errUnreadable, and the caller asks SQLite instead, which
// also reports real corruption as it always has.

// errUnreadable means the file holds something this reader does not
// handle; SQLite must read it.
var errUnreadable = errors.New("flags: the file needs SQLite to be read")

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// kvTableSQL is the text SQLite keeps in sqlite_master for the kv table
// that charm-helpers (and [Open]) create: the statement without its
// "if not exists".
var kvTableSQL = "CREATE TABLE" + strings.TrimPrefix(schema[0].sql, "create table if not exists")

// dbFile is a database file image, with the header fields the reader needs.
type dbFile struct {
	img      []byte
	pageSize int
	usable   int // page size less the reserved bytes at the end of each page
	pages    int
}

// checkHeader checks the fields of a database file's 100-byte header that
// the reader depends on, and returns the page size and the usable size of a
// page.
func checkHeader(hdr []byte) (pageSize, usable int, err error) {
	if len(hdr) < 100 || string(hdr[:16]) != sqliteMagic {
		return 0, 0, errUnreadable
	}
	ps := int(binary.BigEndian.Uint16(hdr[16:18]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps&(ps-1) != 0 {
		return 0, 0, errUnreadable
	}
	// File format versions 1 (rollback journal); 2 is WAL.
	if hdr[18] != 1 || hdr[19] != 1 {
		return 0, 0, errUnreadable
	}
	usable = ps - int(hdr[20])
	if usable < 480 {
		return 0, 0, errUnreadable
	}
	// Text encoding 1 is UTF-8.
	if binary.BigEndian.Uint32(hdr[56:60]) != 1 {
		return 0, 0, errUnreadable
	}
	return ps, usable, nil
}

// parseHeader checks the header of a whole database image.
func parseHeader(img []byte) (*dbFile, error) {
	ps, usable, err := checkHeader(img)
	if err != nil {
		return nil, err
	}
	if len(img)%ps != 0 {
		return nil, errUnreadable
	}
	f := &dbFile{img: img, pageSize: ps, usable: usable, pages: len(img) / ps}
	// The page count in the header is valid when the version-valid-for
	// number equals the change counter; it must then agree with the file.
	if binary.BigEndian.Uint32(img[92:96]) == binary.BigEndian.Uint32(img[24:28]) {
		if n := int(binary.BigEndian.Uint32(img[28:32])); n != f.pages {
			return nil, errUnreadable
		}
	}
	return f, nil
}

// changeCounter returns the file change counter of a header.
func changeCounter(header []byte) uint32 { return binary.BigEndian.Uint32(header[24:28]) }

// page returns page n (1-based).
func (f *dbFile) page(n uint32) ([]byte, error) {
	if n < 1 || int(n) > f.pages {
		return nil, errUnreadable
	}
	off := (int(n) - 1) * f.pageSize
	return f.img[off : off+f.pageSize], nil
}

// maxTreeDepth bounds the b-tree walk: real trees are a few levels deep.
const maxTreeDepth = 40

// walkTable calls fn with the payload of every row of the table b-tree
// rooted at page root, in rowid order.
func (f *dbFile) walkTable(root uint32, fn func(payload []byte) error) error {
	seen := map[uint32]bool{}
	var walk func(n uint32, depth int) error
	walk = func(n uint32, depth int) error {
		if depth > maxTreeDepth || seen[n] {
			return errUnreadable
		}
		seen[n] = true
		pg, err := f.page(n)
		if err != nil {
			return err
		}
		hdr := 0
		if n == 1 {
			hdr = 100
		}
		if len(pg) < hdr+12 {
			return errUnreadable
		}
		kind := pg[hdr]
		cells := int(binary.BigEndian.Uint16(pg[hdr+3 : hdr+5]))
		ptrs := hdr + 8
		if kind == 0x05 {
			ptrs = hdr + 12
		}
		if ptrs+2*cells > f.usable {
			return errUnreadable
		}
		for i := range cells {
			off := int(binary.BigEndian.Uint16(pg[ptrs+2*i:]))
			if off < ptrs+2*cells || off >= f.usable {
				return errUnreadable
			}
			cell := pg[off:f.usable]
			switch kind {
			case 0x05: // interior table page: child page, then a rowid
				if len(cell) < 4 {
					return errUnreadable
				}
				if err := walk(binary.BigEndian.Uint32(cell), depth+1); err != nil {
					return err
				}
			case 0x0d: // leaf table page: payload size, rowid, payload
				payload, err := f.payload(cell)
				if err != nil {
					return err
				}
				if err := fn(payload); err != nil {
					return err
				}
			default:
				return errUnreadable
			}
		}
		if kind == 0x05 {
			return walk(binary.BigEndian.Uint32(pg[hdr+8:hdr+12]), depth+1)
		}
		return nil
	}
	return walk(root, 0)
}

// payload returns the whole payload of a leaf table cell, following its
// overflow pages.
func (f *dbFile) payload(cell []byte) ([]byte, error) {
	size, n := uvarint(cell)
	if n == 0 || size > uint64(len(f.img)) {
		return nil, errUnreadable
	}
	cell = cell[n:]
	if _, n = uvarint(cell); n == 0 { // the rowid
		return nil, errUnreadable
	}
	cell = cell[n:]
	p, u := int(size), f.usable
	x := u - 35
	if p <= x {
		if len(cell) < p {
			return nil, errUnreadable
		}
		return cell[:p], nil
	}
	m := (u-12)*32/255 - 23
	local := m + (p-m)%(u-4)
	if local > x {
		local = m
	}
	if len(cell) < local+4 {
		return nil, errUnreadable
	}
	out := make([]byte, 0, p)
	out = append(out, cell[:local]...)
	next := binary.BigEndian.Uint32(cell[local:])
	for hops := 0; len(out) < p; hops++ {
		if next == 0 || hops > f.pages {
			return nil, errUnreadable
		}
		pg, err := f.page(next)
		if err != nil {
			return nil, err
		}
		next = binary.BigEndian.Uint32(pg)
		out = append(out, pg[4:min(u, 4+p-len(out))]...)
	}
	return out, nil
}

// uvarint decodes SQLite's big-endian varint; n is 0 when b is too short.
func uvarint(b []byte) (v uint64, n int) {
	for i := range 9 {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// field is one value of a record: NULL, an integer or a text.
type field struct {
	kind byte // 'n' NULL, 'i' integer, 't' text
	i    int64
	s    string
}

// record decodes a record (header of serial types, then the values). A
// float, a blob or a reserved serial type is errUnreadable.
func record(payload []byte) ([]field, error) {
	hsize, n := uvarint(payload)
	if n == 0 || hsize > uint64(len(payload)) || int(hsize) < n {
		return nil, errUnreadable
	}
	hdr, body := payload[n:hsize], payload[hsize:]
	var out []field
	for len(hdr) > 0 {
		st, n := uvarint(hdr)
		if n == 0 {
			return nil, errUnreadable
		}
		hdr = hdr[n:]
		var size int
		switch {
		case st == 0:
			out = append(out, field{kind: 'n'})
			continue
		case st == 8 || st == 9:
			out = append(out, field{kind: 'i', i: int64(st - 8)})
			continue
		case st >= 1 && st <= 6:
			size = [...]int{0, 1, 2, 3, 4, 6, 8}[st]
			if len(body) < size {
				return nil, errUnreadable
			}
			v := int64(int8(body[0]))
			for _, b := range body[1:size] {
				v = v<<8 | int64(b)
			}
			out = append(out, field{kind: 'i', i: v})
		case st >= 13 && st%2 == 1:
			size = int((st - 13) / 2)
			if size < 0 || len(body) < size {
				return nil, errUnreadable
			}
			out = append(out, field{kind: 't', s: string(body[:size])})
		default: // floats, blobs, reserved types
			return nil, errUnreadable
		}
		body = body[size:]
	}
	return out, nil
}

// schemaEntry is a table of the schema: its root page and its SQL text.
type schemaEntry struct {
	root uint32
	sql  string
}

// tables reads the schema (the sqlite_master table on page 1) and returns
// its tables by name.
func (f *dbFile) tables() (map[string]schemaEntry, error) {
	tables := map[string]schemaEntry{}
	err := f.walkTable(1, func(payload []byte) error {
		row, err := record(payload)
		if err != nil {
			return err
		}
		if len(row) != 5 || row[0].kind != 't' || row[1].kind != 't' {
			return errUnreadable
		}
		if row[0].s != "table" {
			return nil
		}
		var e schemaEntry
		if row[3].kind == 'i' && row[3].i >= 1 && row[3].i <= 1<<31 {
			e.root = uint32(row[3].i)
		}
		if row[4].kind == 't' {
			e.sql = row[4].s
		}
		tables[row[1].s] = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tables, nil
}

// kvRoot finds the kv table in the schema and reports its root page. The
// kv table must have exactly the schema charm-helpers creates, and
// kv_revisions and hooks must exist too (else [Open] has to create them).
func (f *dbFile) kvRoot() (uint32, error) {
	tables, err := f.tables()
	if err != nil {
		return 0, err
	}
	for _, s := range schema {
		if _, ok := tables[s.table]; !ok {
			return 0, errUnreadable
		}
	}
	kv := tables["kv"]
	if kv.root < 1 || int(kv.root) > f.pages || kv.sql != kvTableSQL {
		return 0, errUnreadable
	}
	return kv.root, nil
}

// readKV returns every row of the kv table of a database image, the way
// the SQL query "SELECT key, data FROM kv" reads them (a NULL value is
// "null"), or errUnreadable.
func readKV(img []byte) (map[string]string, error) {
	f, err := parseHeader(img)
	if err != nil {
		return nil, err
	}
	root, err := f.kvRoot()
	if err != nil {
		return nil, err
	}
	data := map[string]string{}
	err = f.walkTable(root, func(payload []byte) error {
		row, err := record(payload)
		if err != nil {
			return err
		}
		if len(row) != 2 || row[0].kind != 't' {
			return errUnreadable
		}
		switch row[1].kind {
		case 'n':
			data[row[0].s] = "null"
		case 't':
			data[row[0].s] = row[1].s
		default:
			return errUnreadable
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// hotJournal reports whether the first byte of a rollback journal, read
// while holding the store's write lock, marks it hot (left by a writer that
// died): SQLite zeroes the header of a journal it has finished with, and an
// empty journal holds nothing.
func hotJournal(head []byte) bool { return len(head) > 0 && head[0] != 0 }
