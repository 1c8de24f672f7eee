package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/party"
)

// ChannelKind is a kind of outgoing notification channel.
type ChannelKind string

// The channel kinds.
const (
	ChannelSMTP     ChannelKind = "smtp"
	ChannelDingTalk ChannelKind = "dingtalk"
	ChannelWeCom    ChannelKind = "wecom"
)

// Label returns the channel kind's Chinese name.
func (k ChannelKind) Label() string {
	switch k {
	case ChannelSMTP:
		return "电子邮件"
	case ChannelDingTalk:
		return "钉钉群机器人"
	case ChannelWeCom:
		return "企业微信群机器人"
	}
	return string(k)
}

// ChannelConfig holds a channel's settings; it is stored encrypted, since it carries webhook
// keys, signing secrets and passwords.
type ChannelConfig struct {
	// URL is the webhook address of a DingTalk or WeCom robot.
	URL string `json:"url,omitempty"`
	// Secret signs DingTalk requests (加签); empty when the robot does not require it.
	Secret string `json:"secret,omitempty"`
	// SMTP server, account and addresses.
	Host     string   `json:"host,omitempty"`
	Port     int      `json:"port,omitempty"`
	Username string   `json:"username,omitempty"`
	Password string   `json:"password,omitempty"`
	From     string   `json:"from,omitempty"`
	To       []string `json:"to,omitempty"`
}

// Channel is an outgoing notification channel configured by an administrator: it sends the
// reminders of the subtree of RootOrgID.
type Channel struct {
	ID        int64
	Kind      ChannelKind
	Name      string
	RootOrgID int64
	Config    ChannelConfig
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// Read-only.
	RootName string
}

// Validate checks c.
func (c *Channel) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if err := party.CheckText("name", "渠道名称", c.Name, party.MaxNameLen, true); err != nil {
		return err
	}
	if c.RootOrgID == 0 {
		return party.FieldErrorf(party.EINVALID, "root_org_id", "请选择提醒范围（组织）")
	}
	cfg := &c.Config
	switch c.Kind {
	case ChannelDingTalk, ChannelWeCom:
		u, err := url.Parse(strings.TrimSpace(cfg.URL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return party.FieldErrorf(party.EINVALID, "url", "Webhook 地址应为 http:// 或 https:// 开头的完整地址")
		}
		cfg.URL = u.String()
	case ChannelSMTP:
		cfg.Host = strings.TrimSpace(cfg.Host)
		if cfg.Host == "" || strings.ContainsAny(cfg.Host, " /:") {
			return party.FieldErrorf(party.EINVALID, "host", "请填写邮件服务器地址（不含端口）")
		}
		if cfg.Port < 1 || cfg.Port > 65535 {
			return party.FieldErrorf(party.EINVALID, "port", "端口应为1至65535")
		}
		if _, err := mail.ParseAddress(cfg.From); err != nil {
			return party.FieldErrorf(party.EINVALID, "from", "发件人地址无效")
		}
		if len(cfg.To) == 0 {
			return party.FieldErrorf(party.EINVALID, "to", "请填写至少一个收件人")
		}
		for _, to := range cfg.To {
			if _, err := mail.ParseAddress(to); err != nil {
				return party.FieldErrorf(party.EINVALID, "to", "收件人地址“%s”无效", to)
			}
		}
	default:
		return party.FieldErrorf(party.EINVALID, "kind", "渠道类型应为电子邮件、钉钉群机器人或企业微信群机器人")
	}
	return nil
}

// channelFields flattens c for the audit trail without any secret.
func channelFields(c *Channel) fields {
	target := c.Config.Host
	if c.Kind != ChannelSMTP {
		if u, err := url.Parse(c.Config.URL); err == nil {
			target = u.Host
		}
	}
	return fields{"kind": string(c.Kind), "name": c.Name, "root_org_id": strconv.FormatInt(c.RootOrgID, 10),
		"target": target, "enabled": strconv.FormatBool(c.Enabled), "recipients": strconv.Itoa(len(c.Config.To))}
}

// CreateChannel adds a notification channel.
func (db *DB) CreateChannel(ctx context.Context, c *Channel) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := tx.checkChannel(ctx, c); err != nil {
			return err
		}
		cipher, err := tx.db.sealConfig(c.Config)
		if err != nil {
			return err
		}
		now := formatTS(tx.now)
		c.CreatedAt, c.UpdatedAt = tx.now, tx.now
		if err := tx.QueryRowContext(ctx, `INSERT INTO notify_channels (kind, name, root_org_id, config, enabled,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, string(c.Kind), c.Name, c.RootOrgID,
			cipher, c.Enabled, now).Scan(&c.ID); err != nil {
			return fmt.Errorf("store: insert channel: %w", err)
		}
		return tx.audit(ctx, ActCreate, ObjNotifyChannel, c.ID, c.RootOrgID, diff(nil, channelFields(c)))
	})
}

// UpdateChannel replaces the settings of channel c.ID.
func (db *DB) UpdateChannel(ctx context.Context, c *Channel) error {
	return db.write(ctx, func(tx *Tx) error {
		old, err := tx.db.findChannel(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := tx.checkChannel(ctx, c); err != nil {
			return err
		}
		cipher, err := tx.db.sealConfig(c.Config)
		if err != nil {
			return err
		}
		c.CreatedAt, c.UpdatedAt = old.CreatedAt, tx.now
		if _, err := tx.ExecContext(ctx, `UPDATE notify_channels SET kind = $1, name = $2, root_org_id = $3, config = $4,
			enabled = $5, updated_at = $6 WHERE id = $7`, string(c.Kind), c.Name, c.RootOrgID, cipher, c.Enabled,
			formatTS(tx.now), c.ID); err != nil {
			return fmt.Errorf("store: update channel: %w", err)
		}
		changes := diff(channelFields(old), channelFields(c))
		if old.Config.Secret != c.Config.Secret || old.Config.Password != c.Config.Password || old.Config.URL != c.Config.URL {
			changes = append(changes, Change{Field: "secret", New: "已更改"})
		}
		return tx.audit(ctx, ActUpdate, ObjNotifyChannel, c.ID, c.RootOrgID, changes)
	})
}

func (tx *Tx) checkChannel(ctx context.Context, c *Channel) error {
	if err := c.Validate(); err != nil {
		return err
	}
	o, err := findOrg(ctx, tx, c.RootOrgID)
	if err != nil {
		return party.FieldErrorf(party.EINVALID, "root_org_id", "提醒范围的组织不存在")
	}
	c.RootName = o.Name
	return nil
}

func (db *DB) sealConfig(cfg ChannelConfig) (string, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("store: channel config: %w", err)
	}
	s, err := db.keys.Encrypt(string(b))
	if err != nil {
		return "", fmt.Errorf("store: seal channel config: %w", err)
	}
	return s, nil
}

const channelColumns = `c.id, c.kind, c.name, c.root_org_id, c.config, c.enabled, c.created_at, c.updated_at, o.name`

func (db *DB) scanChannel(s scanner) (*Channel, error) {
	var c Channel
	var cipher string
	if err := s.Scan(&c.ID, &c.Kind, &c.Name, &c.RootOrgID, &cipher, &c.Enabled, ts{&c.CreatedAt}, ts{&c.UpdatedAt}, &c.RootName); err != nil {
		return nil, err
	}
	plain, err := db.keys.Decrypt(cipher)
	if err != nil {
		return nil, fmt.Errorf("store: open channel %d config: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(plain), &c.Config); err != nil {
		return nil, fmt.Errorf("store: channel %d config: %w", c.ID, err)
	}
	return &c, nil
}

func (db *DB) findChannel(ctx context.Context, q querier, id int64) (*Channel, error) {
	c, err := db.scanChannel(q.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM notify_channels c
		JOIN orgs o ON o.id = c.root_org_id WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "通知渠道不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find channel: %w", err)
	}
	return c, nil
}

// FindChannel returns channel id with its decrypted settings.
func (db *DB) FindChannel(ctx context.Context, id int64) (*Channel, error) {
	return db.findChannel(ctx, db.r, id)
}

// Channels lists the notification channels (only the enabled ones when enabledOnly).
func (db *DB) Channels(ctx context.Context, enabledOnly bool) ([]*Channel, error) {
	q := `SELECT ` + channelColumns + ` FROM notify_channels c JOIN orgs o ON o.id = c.root_org_id`
	var args []any
	if enabledOnly {
		q += ` WHERE c.enabled = $1`
		args = append(args, true)
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list channels: %w", err)
	}
	defer rows.Close()
	var out []*Channel
	for rows.Next() {
		c, err := db.scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Delivery records one attempt to send a channel its summary, for the administrator.
type Delivery struct {
	ID        int64
	ChannelID int64
	At        time.Time
	OK        bool
	Attempts  int
	Items     int
	Error     string
	// Read-only.
	ChannelName string
}

// RecordDelivery stores the outcome of sending a summary through a channel.
func (db *DB) RecordDelivery(ctx context.Context, d *Delivery) error {
	return db.write(ctx, func(tx *Tx) error {
		c, err := tx.db.findChannel(ctx, tx, d.ChannelID)
		if err != nil {
			return err
		}
		r := []rune(d.Error)
		if len(r) > 500 {
			d.Error = string(r[:500])
		}
		d.At, d.ChannelName = tx.now, c.Name
		if err := tx.QueryRowContext(ctx, `INSERT INTO notify_deliveries (channel_id, at, ok, attempts, items, error)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, d.ChannelID, formatTS(tx.now), d.OK, d.Attempts, d.Items,
			d.Error).Scan(&d.ID); err != nil {
			return fmt.Errorf("store: insert delivery: %w", err)
		}
		return tx.audit(ctx, ActCreate, ObjNotifyDelivery, d.ID, c.RootOrgID, diff(nil, fields{
			"channel_id": strconv.FormatInt(d.ChannelID, 10), "ok": strconv.FormatBool(d.OK),
			"attempts": strconv.Itoa(d.Attempts), "items": strconv.Itoa(d.Items), "error": d.Error}))
	})
}

// Deliveries lists the latest deliveries, newest first: of one channel, or of all (channelID
// 0); failedOnly keeps the failures the administrator must see.
func (db *DB) Deliveries(ctx context.Context, channelID int64, failedOnly bool, limit int) ([]*Delivery, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	where := []string{"1=1"}
	var args []any
	if channelID != 0 {
		args = append(args, channelID)
		where = append(where, fmt.Sprintf("d.channel_id = $%d", len(args)))
	}
	if failedOnly {
		args = append(args, false)
		where = append(where, fmt.Sprintf("d.ok = $%d", len(args)))
	}
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, `SELECT d.id, d.channel_id, d.at, d.ok, d.attempts, d.items, d.error, c.name
		FROM notify_deliveries d JOIN notify_channels c ON c.id = d.channel_id WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY d.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list deliveries: %w", err)
	}
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ID, &d.ChannelID, ts{&d.At}, &d.OK, &d.Attempts, &d.Items, &d.Error, &d.ChannelName); err != nil {
			return nil, fmt.Errorf("store: scan delivery: %w", err)
		}
		out = append(out, &d)
	}
	return out, rows.Err()
}
