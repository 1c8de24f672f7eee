package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dangjian/internal/store"
)

// Sender delivers one summary through one channel.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Message size limits of the robots (bytes of the markdown text), with a margin.
const (
	dingTalkMaxBytes = 18000
	weComMaxBytes    = 4000
)

// NewSender returns the sender for channel c.
func NewSender(c *store.Channel, client *http.Client, now func() time.Time) (Sender, error) {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	switch c.Kind {
	case store.ChannelDingTalk:
		return &DingTalk{URL: c.Config.URL, Secret: c.Config.Secret, Client: client, Now: now}, nil
	case store.ChannelWeCom:
		return &WeCom{URL: c.Config.URL, Client: client}, nil
	case store.ChannelSMTP:
		return &SMTP{Host: c.Config.Host, Port: c.Config.Port, Username: c.Config.Username, Password: c.Config.Password,
			From: c.Config.From, To: c.Config.To, Now: now}, nil
	}
	return nil, fmt.Errorf("notify: unknown channel kind %q", c.Kind)
}

// DingTalk sends to a DingTalk group robot (钉钉群机器人) through its JSON webhook, signed when
// the robot requires it (加签).
type DingTalk struct {
	URL    string
	Secret string
	Client *http.Client
	Now    func() time.Time
}

// DingTalkSign returns the signature of a request at timestamp (milliseconds):
// base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).
func DingTalkSign(secret string, timestamp int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Send posts m as a markdown message.
func (d *DingTalk) Send(ctx context.Context, m Message) error {
	u, err := url.Parse(d.URL)
	if err != nil {
		return errors.New("dingtalk: bad webhook address")
	}
	if d.Secret != "" {
		ts := d.Now().UnixMilli()
		q := u.Query()
		q.Set("timestamp", strconv.FormatInt(ts, 10))
		q.Set("sign", DingTalkSign(d.Secret, ts))
		u.RawQuery = q.Encode()
	}
	body := map[string]any{"msgtype": "markdown", "markdown": map[string]string{
		"title": m.Title, "text": truncate(m.Markdown, dingTalkMaxBytes)}}
	return postRobot(ctx, d.Client, "dingtalk", u.String(), body)
}

// WeCom sends to a WeCom group robot (企业微信群机器人) through its JSON webhook.
type WeCom struct {
	URL    string
	Client *http.Client
}

// Send posts m as a markdown message.
func (w *WeCom) Send(ctx context.Context, m Message) error {
	body := map[string]any{"msgtype": "markdown", "markdown": map[string]string{
		"content": truncate(m.Markdown, weComMaxBytes)}}
	return postRobot(ctx, w.Client, "wecom", w.URL, body)
}

// postRobot posts body as JSON and checks the robots' common answer {"errcode":0}. Errors
// never carry the address, whose query holds the robot's key.
func postRobot(ctx context.Context, client *http.Client, name, addr string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, addr, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: bad webhook address", name)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s: post: %w", name, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d", name, resp.StatusCode)
	}
	var answer struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fmt.Errorf("%s: unreadable answer", name)
	}
	if answer.ErrCode != 0 {
		return fmt.Errorf("%s: errcode %d: %s", name, answer.ErrCode, truncate(answer.ErrMsg, 200))
	}
	return nil
}

// truncate cuts s to at most max bytes on a character boundary, marking the cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const mark = "\n\n……（内容过长，已截断，请登录系统查看）"
	cut := max - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// SMTP sends e-mail through a mail server (net/smtp): STARTTLS when the server offers it, and
// credentials only over TLS or to the local machine, as net/smtp.PlainAuth insists.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	To       []string
	Now      func() time.Time
}

// Send mails m as plain UTF-8 text to every recipient.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp: connect: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello("dangjian.localdomain"); err != nil {
		return fmt.Errorf("smtp: hello: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp: starttls: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("smtp: auth: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("smtp: from: %w", err)
	}
	for _, to := range s.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("smtp: recipient: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: data: %w", err)
	}
	if _, err := w.Write(s.compose(m)); err != nil {
		return fmt.Errorf("smtp: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: send: %w", err)
	}
	return c.Quit()
}

// compose writes the message with encoded headers and a base64 UTF-8 body.
func (s *SMTP) compose(m Message) []byte {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", s.From)
	header("To", strings.Join(s.To, ", "))
	header("Subject", mime.BEncoding.Encode("UTF-8", m.Title))
	header("Date", now().Format(time.RFC1123Z))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Markdown))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
