package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"dangjian/internal/party"
)

const topicColumns = `f.id, f.title, f.issued_on, f.source, f.note`

func scanTopic(s scanner) (*party.FirstTopic, error) {
	var t party.FirstTopic
	if err := s.Scan(&t.ID, &t.Title, &t.IssuedOn, &t.Source, &t.Note); err != nil {
		return nil, err
	}
	return &t, nil
}

func topicFields(t *party.FirstTopic) fields {
	return fields{"title": t.Title, "issued_on": t.IssuedOn.String(), "source": t.Source, "note": t.Note}
}

// CreateFirstTopic adds an item to the 第一议题 ledger; titles are unique.
func (db *DB) CreateFirstTopic(ctx context.Context, t *party.FirstTopic) error {
	return db.write(ctx, func(tx *Tx) error { return tx.createFirstTopic(ctx, t) })
}

func (tx *Tx) createFirstTopic(ctx context.Context, t *party.FirstTopic) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if t.IssuedOn.After(tx.today()) {
		return party.FieldErrorf(party.EINVALID, "issued_on", "发表日期不能晚于今天")
	}
	if err := tx.checkTopicTitle(ctx, t); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO first_topics (title, issued_on, source, note, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, t.Title, t.IssuedOn, t.Source, t.Note, formatTS(tx.now)).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("store: insert first topic: %w", err)
	}
	return tx.audit(ctx, ActCreate, ObjFirstTopic, t.ID, 0, diff(nil, topicFields(t)))
}

func (tx *Tx) checkTopicTitle(ctx context.Context, t *party.FirstTopic) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM first_topics WHERE title = $1 AND id <> $2`, t.Title, t.ID).Scan(&n); err != nil {
		return fmt.Errorf("store: check first topic: %w", err)
	}
	if n > 0 {
		return party.FieldErrorf(party.ECONFLICT, "title", "第一议题台账中已有“%s”", t.Title)
	}
	return nil
}

// UpdateFirstTopic changes the title, date, source and note of item t.ID.
func (db *DB) UpdateFirstTopic(ctx context.Context, t *party.FirstTopic) error {
	return db.write(ctx, func(tx *Tx) error {
		old, err := findTopic(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if err := t.Validate(); err != nil {
			return err
		}
		if t.IssuedOn.After(tx.today()) {
			return party.FieldErrorf(party.EINVALID, "issued_on", "发表日期不能晚于今天")
		}
		changes := diff(topicFields(old), topicFields(t))
		if len(changes) == 0 {
			return nil
		}
		if err := tx.checkTopicTitle(ctx, t); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE first_topics SET title = $1, issued_on = $2, source = $3, note = $4,
			updated_at = $5 WHERE id = $6`, t.Title, t.IssuedOn, t.Source, t.Note, formatTS(tx.now), t.ID); err != nil {
			return fmt.Errorf("store: update first topic: %w", err)
		}
		return tx.audit(ctx, ActUpdate, ObjFirstTopic, t.ID, 0, changes)
	})
}

func findTopic(ctx context.Context, q querier, id int64) (*party.FirstTopic, error) {
	t, err := scanTopic(q.QueryRowContext(ctx, `SELECT `+topicColumns+` FROM first_topics f WHERE f.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "第一议题不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find first topic: %w", err)
	}
	return t, nil
}

// FindFirstTopic returns the 第一议题 item with id.
func (db *DB) FindFirstTopic(ctx context.Context, id int64) (*party.FirstTopic, error) {
	return findTopic(ctx, db.r, id)
}

// TopicFilter selects 第一议题 items by issue date [From, To) and a part of the title.
type TopicFilter struct {
	From  party.Date
	To    party.Date
	Query string
}

// FirstTopics returns the 第一议题 items matching f, newest first (undated ones last).
func (db *DB) FirstTopics(ctx context.Context, f TopicFilter) ([]*party.FirstTopic, error) {
	where := []string{"1=1"}
	var args []any
	if !f.From.IsZero() {
		args = append(args, f.From)
		where = append(where, fmt.Sprintf("f.issued_on >= $%d", len(args)))
	}
	if !f.To.IsZero() {
		args = append(args, f.To)
		where = append(where, fmt.Sprintf("f.issued_on < $%d", len(args)))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		args = append(args, "%"+likeEscape(q)+"%")
		where = append(where, fmt.Sprintf(`f.title LIKE $%d ESCAPE '\'`, len(args)))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+topicColumns+` FROM first_topics f WHERE `+strings.Join(where, " AND ")+`
		ORDER BY f.issued_on IS NULL, f.issued_on DESC, f.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list first topics: %w", err)
	}
	defer rows.Close()
	var out []*party.FirstTopic
	for rows.Next() {
		t, err := scanTopic(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan first topic: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TopicStudy says when an organization first studied a 第一议题 item, at how many events.
type TopicStudy struct {
	OrgID   int64
	OrgCode string
	OrgName string
	OrgKind party.OrgKind
	FirstOn party.Date
	Events  int
}

// TopicStudies lists the organizations of the subtree of root that studied item topicID at a
// held event, with the first day they did, in tree order.
func (db *DB) TopicStudies(ctx context.Context, topicID, root int64) ([]TopicStudy, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(o.Path)
	rows, err := db.r.QueryContext(ctx, `SELECT o.id, o.code, o.name, o.kind, min(e.on_date), count(*)
		FROM event_topics x JOIN events e ON e.id = x.event_id JOIN orgs o ON o.id = e.org_id
		WHERE x.topic_id = $1 AND e.status = $2 AND o.path >= $3 AND o.path < $4
		GROUP BY o.id, o.code, o.name, o.kind, o.path ORDER BY o.path`, topicID, string(party.EventHeld), lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: topic studies: %w", err)
	}
	defer rows.Close()
	var out []TopicStudy
	for rows.Next() {
		var s TopicStudy
		if err := rows.Scan(&s.OrgID, &s.OrgCode, &s.OrgName, &s.OrgKind, &s.FirstOn, &s.Events); err != nil {
			return nil, fmt.Errorf("store: scan topic study: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// TopicsStudied counts the distinct 第一议题 items studied at held events of the subtree of
// root that started in span.
func (db *DB) TopicsStudied(ctx context.Context, root int64, span party.Span) (int, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return 0, err
	}
	lo, hi := subtreeRange(o.Path)
	var n int
	err = db.r.QueryRowContext(ctx, `SELECT count(DISTINCT x.topic_id) FROM orgs o JOIN events e ON e.org_id = o.id
		JOIN event_topics x ON x.event_id = e.id WHERE o.path >= $1 AND o.path < $2 AND e.on_date >= $3
		AND e.on_date < $4 AND e.status = $5`, lo, hi, span.From, span.To, string(party.EventHeld)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count topics studied: %w", err)
	}
	return n, nil
}
