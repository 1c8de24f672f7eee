package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"dangjian/internal/party"
)

// maxBindParams bounds the parameters of one statement: below SQLite's 32766 and PostgreSQL's
// 65535.
const maxBindParams = 32000

// bulkRows is how many rows one multi-row INSERT carries; more rows per statement saves round
// trips, but past a few hundred the gain is small and the statement text grows.
const bulkRows = 500

// orgInsertColumns are the columns a bulk load writes for an organization; the others keep
// their defaults (not dissolved).
const orgInsertColumns = `id, parent_id, code, name, kind, path, depth, founded_on, start_on, end_on, note,
	created_at, updated_at`

// memberInsertColumns are the columns createMember writes, plus the id chosen in advance.
const memberInsertColumns = `id, org_id, group_id, name, name_key, initials, gender, ethnicity, birth_date,
	id_cipher, id_hash, phone_cipher, phone_hash, education, unit_post, joined_on, full_on, category,
	status, left_on, note, created_at, updated_at`

// BulkCreateOrgs inserts orgs in one transaction with multi-row INSERT statements, checked like
// CreateOrg, and appends one audit row for the whole batch. Every ParentID must name an
// organization already stored (0: top level); load a tree level by level. It fills ID, Path,
// Depth and the timestamps of each org, or writes nothing and leaves ID zero.
func (db *DB) BulkCreateOrgs(ctx context.Context, orgs []*party.Org) error {
	if len(orgs) == 0 {
		return nil
	}
	err := db.write(ctx, func(tx *Tx) error {
		if err := tx.planEachQuery(ctx); err != nil {
			return err
		}
		parents, err := tx.checkBulkOrgs(ctx, orgs)
		if err != nil {
			return err
		}
		ids, err := tx.reserveIDs(ctx, "orgs", len(orgs))
		if err != nil {
			return err
		}
		for i, o := range orgs {
			o.ID = ids[i]
			o.Path, o.Depth = "/"+strconv.FormatInt(o.ID, 10)+"/", 0
			if p := parents[o.ParentID]; p != nil {
				o.Path, o.Depth = p.Path+strconv.FormatInt(o.ID, 10)+"/", p.Depth+1
			}
			o.CreatedAt, o.UpdatedAt = tx.now, tx.now
		}
		now := formatTS(tx.now)
		err = tx.insertRows(ctx, "orgs", orgInsertColumns, len(orgs), func(i int, args []any) ([]any, error) {
			o := orgs[i]
			return append(args, o.ID, nullID(o.ParentID), o.Code, o.Name, string(o.Kind), o.Path, o.Depth,
				o.FoundedOn, o.StartOn, o.EndOn, o.Note, now, now), nil
		})
		if err != nil {
			return fmt.Errorf("store: bulk insert orgs: %w", err)
		}
		return tx.audit(ctx, ActImport, ObjOrg, 0, 0, fields{"bulk": "true", "orgs": strconv.Itoa(len(orgs)),
			"first_id": strconv.FormatInt(ids[0], 10), "last_id": strconv.FormatInt(ids[len(ids)-1], 10)})
	})
	if err != nil {
		for _, o := range orgs {
			o.ID, o.Path, o.Depth = 0, "", 0
		}
	}
	return err
}

// checkBulkOrgs validates orgs as createOrg does, against the stored tree and each other, and
// returns their parents by id.
func (tx *Tx) checkBulkOrgs(ctx context.Context, orgs []*party.Org) (map[int64]*party.Org, error) {
	codes := make(map[string]int, len(orgs))
	for i, o := range orgs {
		if err := o.Validate(); err != nil {
			return nil, bulkError("组织", i, o.Name, err)
		}
		if j, dup := codes[o.Code]; dup {
			return nil, bulkError("组织", i, o.Name, party.FieldErrorf(party.ECONFLICT, "code", "组织编码“%s”与第%d条重复", o.Code, j+1))
		}
		codes[o.Code] = i
	}
	parents, err := tx.orgsByID(ctx, parentIDs(orgs))
	if err != nil {
		return nil, err
	}
	for i, o := range orgs {
		parent := parents[o.ParentID]
		if o.ParentID != 0 && parent == nil {
			return nil, bulkError("组织", i, o.Name, party.FieldErrorf(party.EINVALID, "parent_id", "上级组织不存在"))
		}
		if err := party.CheckParent(o.Kind, parent); err != nil {
			return nil, bulkError("组织", i, o.Name, err)
		}
	}
	taken, err := tx.existingStrings(ctx, `SELECT code FROM orgs WHERE code IN `, sortedKeys(codes))
	if err != nil {
		return nil, fmt.Errorf("store: check org codes: %w", err)
	}
	for i, o := range orgs {
		if taken[o.Code] {
			return nil, bulkError("组织", i, o.Name, party.FieldErrorf(party.ECONFLICT, "code", "组织编码“%s”已被其他组织使用", o.Code))
		}
	}
	siblings, err := tx.activeSiblingNames(ctx, orgs)
	if err != nil {
		return nil, err
	}
	for i, o := range orgs {
		k := strconv.FormatInt(o.ParentID, 10) + "/" + o.Name
		if siblings[k] {
			return nil, bulkError("组织", i, o.Name, party.FieldErrorf(party.ECONFLICT, "name", "同一上级组织下已有名为“%s”的组织", o.Name))
		}
		siblings[k] = true
	}
	return parents, nil
}

// activeSiblingNames returns "parentID/name" for every active organization under the parents
// of orgs (0 standing for the top level).
func (tx *Tx) activeSiblingNames(ctx context.Context, orgs []*party.Org) (map[string]bool, error) {
	out := map[string]bool{}
	add := func(q string, args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: check org names: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var parent int64
			var name string
			if err := rows.Scan(nid{&parent}, &name); err != nil {
				return fmt.Errorf("store: check org names: %w", err)
			}
			out[strconv.FormatInt(parent, 10)+"/"+name] = true
		}
		return rows.Err()
	}
	ids := parentIDs(orgs)
	for _, o := range orgs {
		if o.ParentID == 0 {
			if err := add(`SELECT parent_id, name FROM orgs WHERE parent_id IS NULL AND dissolved_on IS NULL`); err != nil {
				return nil, err
			}
			break
		}
	}
	err := inChunks(ids, func(list string, args []any) error {
		return add(`SELECT parent_id, name FROM orgs WHERE dissolved_on IS NULL AND parent_id IN `+list, args...)
	})
	return out, err
}

// BulkCreateMembers inserts members on the roster in one transaction with multi-row INSERT
// statements, checked like CreateMember and stored exactly as it stores them (encrypted ID
// number and phone, keyed hashes, pinyin sort key, initials), and appends one audit row for the
// whole batch. It fills ID, Status, the names of branch and group, and the timestamps, or
// writes nothing and leaves ID zero.
func (db *DB) BulkCreateMembers(ctx context.Context, members []*party.Member) error {
	if len(members) == 0 {
		return nil
	}
	err := db.write(ctx, func(tx *Tx) error {
		if err := tx.planEachQuery(ctx); err != nil {
			return err
		}
		if err := tx.checkBulkMembers(ctx, members); err != nil {
			return err
		}
		ids, err := tx.reserveIDs(ctx, "members", len(members))
		if err != nil {
			return err
		}
		now := formatTS(tx.now)
		k := tx.db.keys
		err = tx.insertRows(ctx, "members", memberInsertColumns, len(members), func(i int, args []any) ([]any, error) {
			m := members[i]
			m.ID, m.CreatedAt, m.UpdatedAt = ids[i], tx.now, tx.now
			idc, err := k.Encrypt(string(m.IDNumber))
			if err != nil {
				return nil, err
			}
			phc, err := k.Encrypt(string(m.Phone))
			if err != nil {
				return nil, err
			}
			return append(args, m.ID, m.OrgID, nullID(m.GroupID), m.Name, party.NameKey(m.Name), party.Initials(m.Name),
				string(m.Gender), m.Ethnicity, m.BirthDate, idc, k.Lookup("id", string(m.IDNumber)), phc,
				k.Lookup("phone", string(m.Phone)), m.Education, m.UnitPost, m.JoinedOn, m.FullOn,
				string(m.Category), string(m.Status), m.LeftOn, m.Note, now, now), nil
		})
		if err != nil {
			return fmt.Errorf("store: bulk insert members: %w", err)
		}
		return tx.audit(ctx, ActImport, ObjMember, 0, 0, fields{"bulk": "true", "created": strconv.Itoa(len(members)),
			"first_id": strconv.FormatInt(ids[0], 10), "last_id": strconv.FormatInt(ids[len(ids)-1], 10)})
	})
	if err != nil {
		for _, m := range members {
			m.ID = 0
		}
	}
	return err
}

// checkBulkMembers validates members as createMember does: fields, branch and party group, and
// ID numbers unique in the batch and in the database.
func (tx *Tx) checkBulkMembers(ctx context.Context, members []*party.Member) error {
	today := tx.today()
	hashes := make(map[string]int, len(members))
	var orgIDs []int64
	seenOrg := map[int64]bool{}
	for i, m := range members {
		m.Status, m.LeftOn = party.StatusActive, party.Date{}
		if err := m.Validate(today); err != nil {
			return bulkError("党员", i, m.Name, err)
		}
		h := tx.db.keys.Lookup("id", string(m.IDNumber))
		if j, dup := hashes[h]; dup {
			return bulkError("党员", i, m.Name, party.FieldErrorf(party.ECONFLICT, "id_number", "身份证号与第%d条重复", j+1))
		}
		hashes[h] = i
		for _, id := range []int64{m.OrgID, m.GroupID} {
			if id != 0 && !seenOrg[id] {
				seenOrg[id] = true
				orgIDs = append(orgIDs, id)
			}
		}
	}
	orgs, err := tx.orgsByID(ctx, orgIDs)
	if err != nil {
		return err
	}
	for i, m := range members {
		o := orgs[m.OrgID]
		switch {
		case m.OrgID == 0:
			return bulkError("党员", i, m.Name, party.FieldErrorf(party.EINVALID, "org_id", "请选择所在党支部"))
		case o == nil:
			return bulkError("党员", i, m.Name, party.FieldErrorf(party.EINVALID, "org_id", "所在党支部不存在"))
		case o.Kind != party.KindBranch:
			return bulkError("党员", i, m.Name, party.FieldErrorf(party.EINVALID, "org_id", "“%s”是%s，党员的组织关系只能在党支部", o.Name, o.Kind))
		case o.Dissolved():
			return bulkError("党员", i, m.Name, party.FieldErrorf(party.EINVALID, "org_id", "党支部“%s”已撤销", o.Name))
		}
		m.OrgName, m.GroupName = o.Name, ""
		if m.GroupID != 0 {
			g := orgs[m.GroupID]
			if g == nil || g.Kind != party.KindGroup || g.ParentID != o.ID {
				return bulkError("党员", i, m.Name, party.FieldErrorf(party.EINVALID, "group_id", "所选党小组不属于“%s”", o.Name))
			}
			if g.Dissolved() {
				return bulkError("党员", i, m.Name, party.FieldErrorf(party.EINVALID, "group_id", "党小组“%s”已撤销", g.Name))
			}
			m.GroupName = g.Name
		}
	}
	taken, err := tx.existingStrings(ctx, `SELECT id_hash FROM members WHERE id_hash IN `, sortedKeys(hashes))
	if err != nil {
		return fmt.Errorf("store: check id numbers: %w", err)
	}
	for i, m := range members {
		if taken[tx.db.keys.Lookup("id", string(m.IDNumber))] {
			return bulkError("党员", i, m.Name, party.FieldErrorf(party.ECONFLICT, "id_number", "该身份证号已登记"))
		}
	}
	return nil
}

// planEachQuery makes PostgreSQL plan every statement of the transaction for its own values.
// The driver keeps prepared statements per connection, and PostgreSQL may settle on a generic
// plan made while the table was still empty (a sequential scan), then keep it while a bulk load
// grows the table: the duplicate check of the second batch of a city took 9 s instead of 0.2 s.
func (tx *Tx) planEachQuery(ctx context.Context) error {
	if tx.db.engine != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return fmt.Errorf("store: plan cache mode: %w", err)
	}
	return nil
}

// bulkError names the element of a batch that err is about, keeping its code and field.
func bulkError(what string, i int, name string, err error) error {
	if party.ErrorCode(err) == party.EINTERNAL {
		return err
	}
	return &party.Error{Code: party.ErrorCode(err), Field: party.ErrorField(err),
		Message: fmt.Sprintf("第%d条%s（%s）：%s", i+1, what, name, party.ErrorMessage(err))}
}

// reserveIDs returns n new ids for table, in increasing order, so rows can be written with
// their paths and references in one statement. The write transaction holds SQLite's only
// write lock; on PostgreSQL the identity sequence hands them out.
func (tx *Tx) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if tx.db.engine == Postgres {
		rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id'))
			FROM generate_series(1, $1)`, n)
		if err != nil {
			return nil, fmt.Errorf("store: reserve ids: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, fmt.Errorf("store: reserve ids: %w", err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: reserve ids: %w", err)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		return ids, nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM `+table).Scan(&last); err != nil {
		return nil, fmt.Errorf("store: reserve ids: %w", err)
	}
	for i := 1; i <= n; i++ {
		ids = append(ids, last+int64(i))
	}
	return ids, nil
}

// insertRows writes n rows into table with multi-row INSERT statements; row appends the values
// of row i, in the order of columns, to args.
func (tx *Tx) insertRows(ctx context.Context, table, columns string, n int, row func(i int, args []any) ([]any, error)) error {
	width := len(strings.Split(columns, ","))
	per := min(bulkRows, maxBindParams/width)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, per*width)
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			var err error
			if args, err = row(i, args); err != nil {
				return err
			}
		}
		if end-start < per {
			if _, err := tx.ExecContext(ctx, tx.insertStatement(table, columns, width, end-start), args...); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.PrepareContext(ctx, tx.insertStatement(table, columns, width, per)); err != nil {
				return err
			}
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// insertStatement returns INSERT INTO table (columns) VALUES (...), (...) for rows rows. On
// SQLite the parameters are anonymous (?): modernc.org/sqlite looks every parameter's name up
// in a list as long as the statement's parameters, which makes binding numbered ones quadratic
// (80 of 100 seconds of a city load); both forms are SQLite's own syntax.
func (tx *Tx) insertStatement(table, columns string, width, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
	p := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < width; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if tx.db.engine == SQLite {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// inChunks calls fn with "($1,...,$k)" and the values, for slices of vals short enough for one
// statement.
func inChunks[T any](vals []T, fn func(list string, args []any) error) error {
	for start := 0; start < len(vals); start += bulkRows {
		end := min(start+bulkRows, len(vals))
		args := make([]any, 0, end-start)
		ph := make([]string, 0, end-start)
		for _, v := range vals[start:end] {
			args = append(args, v)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		if err := fn("("+strings.Join(ph, ",")+")", args); err != nil {
			return err
		}
	}
	return nil
}

// orgsByID loads the organizations with the given ids, keyed by id; missing ids are absent.
func (tx *Tx) orgsByID(ctx context.Context, ids []int64) (map[int64]*party.Org, error) {
	out := make(map[int64]*party.Org, len(ids))
	err := inChunks(ids, func(list string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE o.id IN `+list, args...)
		if err != nil {
			return fmt.Errorf("store: find orgs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOrg(rows)
			if err != nil {
				return fmt.Errorf("store: scan org: %w", err)
			}
			out[o.ID] = o
		}
		return rows.Err()
	})
	return out, err
}

// existingStrings runs query (ending in "IN ") over vals and returns the values it finds.
func (tx *Tx) existingStrings(ctx context.Context, query string, vals []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(vals, func(list string, args []any) error {
		rows, err := tx.QueryContext(ctx, query+list, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			out[s] = true
		}
		return rows.Err()
	})
	return out, err
}

// parentIDs returns the distinct non-zero ParentIDs of orgs.
func parentIDs(orgs []*party.Org) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, o := range orgs {
		if o.ParentID != 0 && !seen[o.ParentID] {
			seen[o.ParentID] = true
			out = append(out, o.ParentID)
		}
	}
	return out
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Analyze refreshes the query planner's statistics after a bulk load, so the first queries
// over the new rows get good plans; on PostgreSQL it also vacuums, which lets counts read
// indexes only.
func (db *DB) Analyze(ctx context.Context) error {
	q := `ANALYZE`
	if db.engine == Postgres {
		q = `VACUUM (ANALYZE)`
	}
	if _, err := db.w.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("store: analyze: %w", err)
	}
	return nil
}
