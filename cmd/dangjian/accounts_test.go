package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/store/storetest"
)

// bureau imports a small tree with one member and returns the member's ID number.
func bureau(t *testing.T, env func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	orgs := filepath.Join(dir, "组织.xlsx")
	writeSheet(t, orgs, [][]any{
		{"组织名称", "组织类别", "上级组织", "组织编码", "成立日期"},
		{"中共测试局党组", "党组", "", "CS", "2001-01-01"},
		{"机关党支部", "党支部", "CS", "CS-JG", "2001-03-01"},
	})
	if out, err := runCmd(t, env, "import", "orgs", orgs); err != nil {
		t.Fatalf("import orgs: %v\n%s", err, out)
	}
	id := idFor("1985-06-15", true, 1)
	roster := filepath.Join(dir, "名册.xlsx")
	writeSheet(t, roster, [][]any{
		{"姓名", "性别", "民族", "出生日期", "身份证号", "手机号码", "学历", "工作单位及职务", "入党日期", "转正日期", "人员类别", "所在党支部", "党小组"},
		{"张三", "男", "汉族", "1985-06-15", id, "13812345678", "大学本科", "科员", "2010-07-01", "2011-07-01", "正式党员", "CS-JG", ""},
	})
	if out, err := runCmd(t, env, "import", "members", "--org", "CS", roster); err != nil {
		t.Fatalf("import members: %v\n%s", err, out)
	}
	return id
}

func TestUserAndTokenCommands(t *testing.T) {
	for name, env := range engineEnvs(t) {
		t.Run(name, func(t *testing.T) {
			id := bureau(t, env)
			ok := func(stdin string, args ...string) string {
				t.Helper()
				out, err := runInput(t, env, stdin, args...)
				if err != nil {
					t.Fatalf("%v: %v (%s)\n%s", args, err, userMessage(err), out)
				}
				return out
			}
			refused := func(stdin, want string, args ...string) {
				t.Helper()
				out, err := runInput(t, env, stdin, args...)
				if err == nil || !strings.Contains(userMessage(err)+out, want) {
					t.Fatalf("%v: %v %q, want a refusal with %q", args, err, out, want)
				}
			}
			out := ok("Strong-pass-1\n", "user", "add", "--username", "Zhang", "--role", "党建管理员", "--org", "cs", "--password-stdin")
			if !strings.Contains(out, "zhang") || !strings.Contains(out, "中共测试局党组及下级组织") || !strings.Contains(out, "须修改密码") {
				t.Fatalf("user add: %s", out)
			}
			refused("", "--password-stdin", "user", "add", "--username", "li", "--role", "leader")
			refused("weak\n", "至少8个字符", "user", "add", "--username", "li", "--role", "leader", "--password-stdin")
			refused("Strong-pass-1\n", "角色", "user", "add", "--username", "li", "--role", "超级用户", "--password-stdin")
			refused("Strong-pass-1\n", "只能授予在党支部", "user", "add", "--username", "li", "--role", "secretary", "--org", "CS", "--password-stdin")
			refused("Strong-pass-1\n", "已被使用", "user", "add", "--username", "zhang", "--role", "leader", "--password-stdin")
			ok("Leader-pass-1\n", "user", "add", "--username", "li", "--role", "leader", "--org", "CS", "--password-stdin")
			ok("Sysadm-pass-1\n", "user", "add", "--username", "sys1", "--role", "sysadmin", "--password-stdin")
			refused("", "三员", "user", "grant", "--username", "sys1", "--role", "auditadmin")
			refused("", "三员", "user", "grant", "--username", "li", "--role", "审计管理员")
			ok("", "user", "grant", "--username", "li", "--role", "secretary", "--org", "CS-JG")
			list := ok("", "user", "list")
			for _, want := range []string{"zhang", "li", "sys1", "须改密码", "支部书记（机关党支部及下级组织）", "系统管理员"} {
				if !strings.Contains(list, want) {
					t.Errorf("user list lacks %q:\n%s", want, list)
				}
			}
			ok("", "user", "revoke", "--username", "li", "--role", "secretary", "--org", "CS-JG")
			refused("", "没有这一授权", "user", "revoke", "--username", "li", "--role", "secretary", "--org", "CS-JG")
			ok("", "user", "disable", "--username", "li")
			if list := ok("", "user", "list"); !strings.Contains(list, "已停用") {
				t.Fatalf("disabled account not shown:\n%s", list)
			}
			ok("", "user", "enable", "--username", "li")
			ok("", "user", "unlock", "--username", "li")
			ok("", "user", "reset-2fa", "--username", "li")
			refused("Leader-pass-1\n", "最近5次", "user", "password", "--username", "li", "--password-stdin")
			ok("Leader-pass-2\n", "user", "password", "--username", "li", "--password-stdin")

			token := regexp.MustCompile(`dj_[A-Za-z0-9_-]+`).FindString(ok("", "token", "create", "--username", "zhang", "--expires", "30d"))
			if !strings.HasPrefix(token, "dj_") || len(token) < 40 {
				t.Fatalf("token create printed %q", token)
			}
			if list := ok("", "token", "list", "--username", "zhang"); !strings.Contains(list, token[:9]) || !strings.Contains(list, "有效") {
				t.Fatalf("token list:\n%s", list)
			}
			refused("", "--expires", "token", "create", "--username", "zhang", "--expires", "soon")
			ok("", "token", "revoke", "--id", "1")
			if list := ok("", "token", "list", "--username", "zhang"); !strings.Contains(list, "已吊销") {
				t.Fatalf("revoked token not shown:\n%s", list)
			}

			dir := t.TempDir()
			file := filepath.Join(dir, "完整.xlsx")
			refused("", "--as", "export", "members", "--org", "CS", "-o", file, "--unmasked")
			refused("", "无权导出", "export", "members", "--org", "CS", "-o", file, "--unmasked", "--as", "li")
			ok("", "export", "members", "--org", "CS", "-o", file, "--unmasked", "--as", "zhang")
			f, err := excelize.OpenFile(file)
			storetest.MustDo(t, "open export", err)
			rows, _ := f.GetRows(f.GetSheetList()[0])
			f.Close()
			if len(rows) != 2 || !strings.Contains(strings.Join(rows[1], " "), id) {
				t.Fatalf("unmasked export lacks the full ID number: %v", len(rows))
			}
			out = ok("", "audit", "export", "--from", "2000-01-01", "--to", "2099-12-31", "-o", filepath.Join(dir, "审计.xlsx"))
			a, err := excelize.OpenFile(filepath.Join(dir, "审计.xlsx"))
			storetest.MustDo(t, "open audit export", err)
			arows, _ := a.GetRows(a.GetSheetList()[0])
			a.Close()
			text := ""
			for _, r := range arows {
				text += strings.Join(r, "|") + "\n"
			}
			for _, want := range []string{"查看敏感信息", "zhang"} {
				if !strings.Contains(text, want) {
					t.Errorf("the audit trail lacks %q", want)
				}
			}
			if strings.Contains(text, id) {
				t.Error("the audit trail holds a full ID number")
			}
		})
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	storetest.MustDo(t, "key", err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	storetest.MustDo(t, "certificate", err)
	kb, err := x509.MarshalECPrivateKey(key)
	storetest.MustDo(t, "marshal key", err)
	cert, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	storetest.MustDo(t, "write cert", os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	storetest.MustDo(t, "write key", os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	return cert, keyFile
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "DANGJIAN_DATA" {
			return dir
		}
		return ""
	}
	bureau(t, env)
	if out, err := runInput(t, env, "Strong-pass-1\n", "user", "add", "--username", "zhang", "--role", "leader", "--org", "CS", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	token, err := runCmd(t, env, "token", "create", "--username", "zhang")
	storetest.MustDo(t, "token", err)
	token = regexp.MustCompile(`dj_[A-Za-z0-9_-]+`).FindString(token)
	cert, key := selfSigned(t, t.TempDir())
	if _, err := runCmd(t, env, "serve", "--tls-cert", cert); err == nil {
		t.Fatal("serve accepted a certificate without its key")
	}
	url, out := startServe(t, env, "https", "--no-demo", "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key)
	if strings.Contains(out.String(), "/setup") {
		t.Fatalf("setup offered although an account exists:\n%s", out.String())
	}
	client := newClient(t)
	client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // the test's own certificate
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.PostForm(url+"signin", neturl.Values{"username": {"zhang"}, "password": {"Strong-pass-1"}})
	storetest.MustDo(t, "sign in", err)
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("sign-in over TLS: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	setCookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"dangjian_session=", "Secure", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", setCookie, want)
		}
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no Strict-Transport-Security over TLS")
	}
	req, _ := http.NewRequest("GET", url+"api/v1/orgs", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = client.Do(req)
	storetest.MustDo(t, "API", err)
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "机关党支部") {
		t.Fatalf("API with the CLI's token: %d %.300s", resp.StatusCode, body)
	}
}
