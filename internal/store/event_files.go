package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"dangjian/internal/files"
	"dangjian/internal/party"
)

// MaxEventFiles bounds the attachments of one event.
const MaxEventFiles = 50

// EventFile is an attachment of an event (photo, sign-in sheet, PDF), stored by content hash.
// OrgID is the organization of the event, which a permission check needs before serving it.
type EventFile struct {
	ID        int64
	EventID   int64
	OrgID     int64
	SHA256    string
	Size      int64
	MIME      string
	Name      string
	CreatedAt time.Time
	CreatedBy string
}

const eventFileColumns = `f.id, f.event_id, e.org_id, f.sha256, f.size, f.mime, f.name, f.created_at, f.created_by`

func scanEventFile(s scanner) (*EventFile, error) {
	var f EventFile
	if err := s.Scan(&f.ID, &f.EventID, &f.OrgID, &f.SHA256, &f.Size, &f.MIME, &f.Name, ts{&f.CreatedAt}, &f.CreatedBy); err != nil {
		return nil, err
	}
	return &f, nil
}

// AddEventFile stores the content of r in fs (size and type checked by content) and attaches
// it to event eventID under the uploaded file name.
func (db *DB) AddEventFile(ctx context.Context, fs *files.Store, eventID int64, name string, r io.Reader) (*EventFile, error) {
	if _, err := db.FindEvent(ctx, eventID); err != nil {
		return nil, err
	}
	blob, err := fs.Put(r)
	if err != nil {
		return nil, err
	}
	var out *EventFile
	err = db.write(ctx, func(tx *Tx) error {
		e, err := tx.db.findEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM event_files WHERE event_id = $1`, eventID).Scan(&n); err != nil {
			return fmt.Errorf("store: count event files: %w", err)
		}
		if n >= MaxEventFiles {
			return party.Errorf(party.EINVALID, "每个活动最多上传%d个附件", MaxEventFiles)
		}
		f := &EventFile{EventID: eventID, OrgID: e.OrgID, SHA256: blob.SHA256, Size: blob.Size, MIME: blob.MIME,
			Name: files.CleanName(name), CreatedAt: tx.now, CreatedBy: tx.actor.Username}
		err = tx.QueryRowContext(ctx, `INSERT INTO event_files (event_id, sha256, size, mime, name, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, eventID, f.SHA256, f.Size, f.MIME, f.Name,
			formatTS(tx.now), f.CreatedBy).Scan(&f.ID)
		if err != nil {
			return fmt.Errorf("store: insert event file: %w", err)
		}
		out = f
		return tx.audit(ctx, ActCreate, ObjEventFile, f.ID, e.OrgID, diff(nil, fields{"event_id": strconv.FormatInt(eventID, 10),
			"name": f.Name, "sha256": f.SHA256, "size": strconv.FormatInt(f.Size, 10), "mime": f.MIME}))
	})
	if err != nil {
		// The stored file stays: another upload of the same content may be referring to it.
		return nil, err
	}
	return out, nil
}

// dropUnreferenced removes a stored file no attachment refers to any more, so a deleted
// attachment leaves no copy behind; a failure only leaves an orphan file, never a broken record.
func (db *DB) dropUnreferenced(ctx context.Context, fs *files.Store, sha string) {
	var n int
	if err := db.w.QueryRowContext(ctx, `SELECT count(*) FROM event_files WHERE sha256 = $1`, sha).Scan(&n); err == nil && n == 0 {
		fs.Remove(sha)
	}
}

// EventFiles lists the attachments of event eventID in upload order.
func (db *DB) EventFiles(ctx context.Context, eventID int64) ([]*EventFile, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+eventFileColumns+` FROM event_files f JOIN events e ON e.id = f.event_id
		WHERE f.event_id = $1 ORDER BY f.id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("store: list event files: %w", err)
	}
	defer rows.Close()
	var out []*EventFile
	for rows.Next() {
		f, err := scanEventFile(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan event file: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FindEventFile returns attachment id with the organization of its event, for the permission
// check that must precede serving it.
func (db *DB) FindEventFile(ctx context.Context, id int64) (*EventFile, error) {
	f, err := scanEventFile(db.r.QueryRowContext(ctx, `SELECT `+eventFileColumns+` FROM event_files f
		JOIN events e ON e.id = f.event_id WHERE f.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "附件不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find event file: %w", err)
	}
	return f, nil
}

// RemoveEventFile detaches attachment id, and deletes the stored file when nothing else
// refers to the same content.
func (db *DB) RemoveEventFile(ctx context.Context, fs *files.Store, id int64) error {
	var sha string
	err := db.write(ctx, func(tx *Tx) error {
		f, err := scanEventFile(tx.QueryRowContext(ctx, `SELECT `+eventFileColumns+` FROM event_files f
			JOIN events e ON e.id = f.event_id WHERE f.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return party.Errorf(party.ENOTFOUND, "附件不存在")
		}
		if err != nil {
			return fmt.Errorf("store: find event file: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_files WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete event file: %w", err)
		}
		sha = f.SHA256
		return tx.audit(ctx, ActDelete, ObjEventFile, id, f.OrgID, diff(fields{"event_id": strconv.FormatInt(f.EventID, 10),
			"name": f.Name, "sha256": f.SHA256}, nil))
	})
	if err != nil {
		return err
	}
	db.dropUnreferenced(ctx, fs, sha)
	return nil
}
