package store

import (
	"context"

	"dangjian/internal/party"
)

// FindPosition returns the post record with id.
func (db *DB) FindPosition(ctx context.Context, id int64) (*party.Position, error) {
	list, err := db.listPositions(ctx, "p.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, party.Errorf(party.ENOTFOUND, "任职记录不存在")
	}
	return list[0], nil
}

// FindAttachment returns the temporary-branch attachment with id.
func (db *DB) FindAttachment(ctx context.Context, id int64) (*party.TempAttachment, error) {
	list, err := db.listAttachments(ctx, "a.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, party.Errorf(party.ENOTFOUND, "编入记录不存在")
	}
	return list[0], nil
}
