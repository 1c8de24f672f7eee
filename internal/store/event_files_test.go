package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"dangjian/internal/files"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestEventFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		people(t, db, tr.branch.ID, 0, 2, 0, 1)
		e := event(tr.branch.ID, party.TypeThemeDay, "2026-11-15", "主题党日")
		storetest.MustDo(t, "record", db.RecordEvent(ctx, e, nil))
		fs, err := files.New(t.TempDir(), 4096)
		storetest.MustDo(t, "files", err)
		photo := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{7}, 200)...)

		f, err := db.AddEventFile(ctx, fs, e.ID, "../现场照片.jpg", bytes.NewReader(photo))
		storetest.MustDo(t, "add", err)
		if f.MIME != "image/jpeg" || f.Name != "现场照片.jpg" || f.OrgID != tr.branch.ID || f.Size != int64(len(photo)) {
			t.Fatalf("file: %+v", f)
		}
		same, err := db.AddEventFile(ctx, fs, e.ID, "副本.jpg", bytes.NewReader(photo))
		storetest.MustDo(t, "add copy", err)
		if same.SHA256 != f.SHA256 {
			t.Fatal("same content stored under two hashes")
		}
		if _, err := db.AddEventFile(ctx, fs, e.ID, "x.jpg", strings.NewReader("<svg onload=alert(1)>")); party.ErrorCode(err) != party.EINVALID {
			t.Fatalf("svg: got %v, want invalid", err)
		}
		if _, err := db.AddEventFile(ctx, fs, 99999, "x.jpg", bytes.NewReader(photo)); party.ErrorCode(err) != party.ENOTFOUND {
			t.Fatalf("no such event: got %v, want not found", err)
		}
		got, err := db.FindEventFile(ctx, f.ID)
		storetest.MustDo(t, "find", err)
		if got.OrgID != tr.branch.ID || got.EventID != e.ID {
			t.Fatalf("found: %+v", got)
		}
		storetest.MustDo(t, "remove", db.RemoveEventFile(ctx, fs, f.ID))
		if _, err := fs.Open(f.SHA256); err != nil {
			t.Fatalf("content still referenced by the copy was deleted: %v", err)
		}
		storetest.MustDo(t, "remove copy", db.RemoveEventFile(ctx, fs, same.ID))
		if _, err := fs.Open(f.SHA256); party.ErrorCode(err) != party.ENOTFOUND {
			t.Fatalf("content left behind after the last attachment went: %v", err)
		}
		list, err := db.EventFiles(ctx, e.ID)
		storetest.MustDo(t, "list", err)
		if len(list) != 0 {
			t.Fatalf("files left: %d", len(list))
		}
		audit, err := db.AuditFor(ctx, store.ObjEventFile, f.ID, 5)
		storetest.MustDo(t, "audit", err)
		if len(audit) != 2 || audit[0].Action != store.ActDelete {
			t.Fatalf("audit: %+v", audit)
		}
	})
}

func TestNotifyChannels(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		c := &store.Channel{Kind: store.ChannelDingTalk, Name: "党建办钉钉群", RootOrgID: tr.top.ID, Enabled: true,
			Config: store.ChannelConfig{URL: "https://oapi.dingtalk.com/robot/send?access_token=tok123", Secret: "SECabcdef"}}
		storetest.MustDo(t, "create", db.CreateChannel(ctx, c))
		var raw string
		storetest.MustDo(t, "raw", db.RawQueryRow(ctx, `SELECT config FROM notify_channels WHERE id = $1`, c.ID).Scan(&raw))
		if strings.Contains(raw, "SECabcdef") || strings.Contains(raw, "tok123") {
			t.Fatal("channel secrets stored in the clear")
		}
		got, err := db.FindChannel(ctx, c.ID)
		storetest.MustDo(t, "find", err)
		if got.Config.Secret != "SECabcdef" || got.RootName != tr.top.Name {
			t.Fatalf("channel: %+v", got)
		}
		audit, err := db.AuditFor(ctx, store.ObjNotifyChannel, c.ID, 5)
		storetest.MustDo(t, "audit", err)
		if len(audit) != 1 || strings.Contains(audit[0].Detail, "SECabcdef") || strings.Contains(audit[0].Detail, "tok123") {
			t.Fatalf("audit: %+v", audit)
		}
		for name, bad := range map[string]*store.Channel{
			"ErrNotAURL":   {Kind: store.ChannelWeCom, Name: "x", RootOrgID: tr.top.ID, Config: store.ChannelConfig{URL: "javascript:alert(1)"}},
			"ErrNoTo":      {Kind: store.ChannelSMTP, Name: "x", RootOrgID: tr.top.ID, Config: store.ChannelConfig{Host: "mail", Port: 25, From: "a@b.cn"}},
			"ErrBadKind":   {Kind: "sms", Name: "x", RootOrgID: tr.top.ID},
			"ErrNoSubtree": {Kind: store.ChannelWeCom, Name: "x", Config: store.ChannelConfig{URL: "https://qyapi.weixin.qq.com/x"}},
		} {
			if err := db.CreateChannel(ctx, bad); party.ErrorCode(err) != party.EINVALID {
				t.Errorf("%s: got %v, want invalid", name, err)
			}
		}
		storetest.MustDo(t, "ok", db.RecordDelivery(ctx, &store.Delivery{ChannelID: c.ID, OK: true, Attempts: 1, Items: 3}))
		storetest.MustDo(t, "failed", db.RecordDelivery(ctx, &store.Delivery{ChannelID: c.ID, Attempts: 3, Items: 3, Error: "连接超时"}))
		failed, err := db.Deliveries(ctx, 0, true, 10)
		storetest.MustDo(t, "deliveries", err)
		if len(failed) != 1 || failed[0].Error != "连接超时" || failed[0].ChannelName != "党建办钉钉群" {
			t.Fatalf("failures: %+v", failed)
		}
		all, err := db.Deliveries(ctx, c.ID, false, 10)
		storetest.MustDo(t, "deliveries", err)
		if len(all) != 2 || all[0].OK {
			t.Fatalf("deliveries newest first: %+v", all)
		}
	})
}
