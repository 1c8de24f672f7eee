package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/party"
	"dangjian/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// engineEnv returns getenv functions for a fresh data directory on each engine.
func engineEnvs(t *testing.T) map[string]func(string) string {
	out := map[string]func(string) string{}
	dir := t.TempDir()
	out["sqlite"] = func(k string) string {
		if k == "DANGJIAN_DATA" {
			return dir
		}
		return ""
	}
	if os.Getenv("DANGJIAN_TEST_POSTGRES") != "" {
		url := storetest.CreatePostgresDB(t)
		pdir := t.TempDir()
		out["postgres"] = func(k string) string {
			switch k {
			case "DANGJIAN_DATA":
				return pdir
			case "DANGJIAN_DB":
				return url
			}
			return ""
		}
	}
	return out
}

func runCmd(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	return runInput(t, getenv, "", args...)
}

// runInput runs a command with stdin as its standard input.
func runInput(t *testing.T, getenv func(string) string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestVersionAndHelp(t *testing.T) {
	env := func(string) string { return "" }
	out, err := runCmd(t, env, "version")
	if err != nil || !strings.HasPrefix(out, "dangjian ") {
		t.Fatalf("version: %q %v", out, err)
	}
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"import", "--help"},
		{"import", "members", "--help"}, {"import", "orgs", "--help"}, {"import", "events", "--help"}, {"export", "--help"},
		{"export", "members", "--help"}, {"demo", "--help"}, {"version", "--help"}} {
		out, err := runCmd(t, env, args...)
		if err != nil || !strings.Contains(out, "Usage") {
			t.Errorf("%v: %v %q", args, err, out)
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		if out, err := runCmd(t, env, args...); err != nil || !strings.Contains(out, "Commands:") || !strings.Contains(out, "compliance") {
			t.Errorf("%v does not list the commands: %v %q", args, err, out)
		}
	}
	if _, err := runCmd(t, env, "frobnicate"); !errors.Is(err, errUsage) {
		t.Fatalf("unknown command: %v", err)
	}
}

func idFor(birth string, male bool, n int) string {
	d, _ := party.ParseDate(birth)
	seq := (n * 2) % 1000
	if male {
		seq++
	}
	s := fmt.Sprintf("110101%04d%02d%02d%03d", d.Year, d.Month, d.Day, seq)
	return s + string(party.IDCheckDigit(s))
}

func writeSheet(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestImportExportFromTheCommandLine(t *testing.T) {
	for name, env := range engineEnvs(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			orgs := filepath.Join(dir, "组织.xlsx")
			writeSheet(t, orgs, [][]any{
				{"组织名称", "组织类别", "上级组织", "组织编码", "成立日期"},
				{"中共测试局党组", "党组", "", "CS", "2001-01-01"},
				{"机关党支部", "党支部", "CS", "CS-JG", "2001年3月1日"},
				{"第一党小组", "党小组", "机关党支部", "CS-JG-1", ""},
			})
			out, err := runCmd(t, env, "import", "orgs", orgs)
			if err != nil || !strings.Contains(out, "新增3条") {
				t.Fatalf("import orgs: %v\n%s", err, out)
			}
			roster := filepath.Join(dir, "名册.xlsx")
			header := []any{"姓名", "性别", "民族", "出生日期", "身份证号", "手机号码", "学历", "工作单位及职务",
				"入党日期", "转正日期", "人员类别", "所在党支部", "党小组"}
			good := [][]any{header,
				{"张三", "男", "汉族", "1985-06-15", idFor("1985-06-15", true, 1), "13812345678", "大学本科", "办公室科员", "2010-07-01", "2011-07-01", "正式党员", "机关党支部", "第一党小组"},
				{"李四", "男", "汉族", "1985-06-15", idFor("1985-06-15", true, 2), "", "硕士研究生", "", "2026-01-05", "", "预备党员", "CS-JG", ""},
			}
			bad := append([][]any{}, good...)
			wrong := idFor("1985-06-15", true, 3)
			if wrong[17] == '0' {
				wrong = wrong[:17] + "1"
			} else {
				wrong = wrong[:17] + "0"
			}
			bad = append(bad, []any{"王五", "男", "汉族", "1985-06-15", wrong, "", "大学本科", "", "2010-07-01", "2011-07-01", "正式党员", "机关党支部", ""})
			bad = append(bad, []any{"赵六", "男", "汉族", "1985-06-15", idFor("1985-06-15", true, 4), "", "大学本科", "", "2010-07-01", "2011-07-01", "正式党员", "不存在支部", ""})
			writeSheet(t, roster, bad)
			out, err = runCmd(t, env, "import", "members", "--org", "CS", roster)
			if err == nil || !strings.Contains(out, "第4行【身份证号】") || !strings.Contains(out, "第5行【所在党支部】") {
				t.Fatalf("bad roster: %v\n%s", err, out)
			}
			writeSheet(t, roster, good)
			out, err = runCmd(t, env, "import", "members", roster, "--org", "CS", "--dry-run")
			if err != nil || !strings.Contains(out, "试运行") || !strings.Contains(out, "新增2条") {
				t.Fatalf("dry run: %v\n%s", err, out)
			}
			out, err = runCmd(t, env, "import", "members", "--org", "CS", roster)
			if err != nil || !strings.Contains(out, "新增2条") {
				t.Fatalf("import: %v\n%s", err, out)
			}
			out, err = runCmd(t, env, "import", "members", "--org", "CS", roster)
			if err != nil || !strings.Contains(out, "无变化2条") {
				t.Fatalf("re-import: %v\n%s", err, out)
			}
			export := filepath.Join(dir, "导出.xlsx")
			out, err = runCmd(t, env, "export", "members", "--org", "CS", "-o", export)
			if err != nil || !strings.Contains(out, "已导出2条") {
				t.Fatalf("export: %v\n%s", err, out)
			}
			f, err := excelize.OpenFile(export)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows(f.GetSheetList()[0])
			f.Close()
			text := fmt.Sprint(rows)
			if strings.Contains(text, idFor("1985-06-15", true, 1)) || !strings.Contains(text, "110***********") {
				t.Fatalf("export is not masked: %s", text)
			}
			if _, err := runCmd(t, env, "export", "template", "--org", "CS", "-o", filepath.Join(dir, "模板.xlsx")); err != nil {
				t.Fatalf("template: %v", err)
			}
		})
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "DANGJIAN_DATA" {
			return dir
		}
		return ""
	}
	if _, err := runCmd(t, env, "migrate"); err != nil {
		t.Fatal(err)
	}
	other := func(k string) string {
		switch k {
		case "DANGJIAN_DATA":
			return dir
		case "DANGJIAN_KEY":
			return strings.Repeat("ab", 32)
		}
		return ""
	}
	_, err := runCmd(t, other, "migrate")
	if err == nil || !strings.Contains(userMessage(err), "密钥与数据库不匹配") {
		t.Fatalf("got %v", err)
	}
}

func TestServeLoadsTheDemoAndAnswers(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "DANGJIAN_DATA" {
			return dir
		}
		return ""
	}
	url, out := startServe(t, env, "http", "--addr", "127.0.0.1:0")
	if !strings.Contains(out.String(), "演示数据") {
		t.Fatalf("demo not announced:\n%s", out.String())
	}
	// The console lists one account per role with a random password, printed this once.
	m := regexp.MustCompile(`(?m)^\s+dj-admin\s+(\S+)\s+党建管理员`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no demo accounts printed:\n%s", out.String())
	}
	for _, name := range []string{"dj-shuji", "dj-zuzhi", "dj-dangyuan", "dj-jijian", "dj-lingdao", "dj-xitong", "dj-anquan", "dj-shenji"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("demo account %s not printed", name)
		}
	}
	client := newClient(t)
	resp, err := client.Get(url + "orgs")
	storetest.MustDo(t, "GET /orgs", err)
	body := readBody(t, resp)
	if !strings.Contains(body, "登录") || strings.Contains(body, "机关党支部") {
		t.Fatalf("an anonymous GET /orgs showed data or no sign-in page: %d", resp.StatusCode)
	}
	resp, err = client.PostForm(url+"signin", neturl.Values{"username": {"dj-admin"}, "password": {m[1]}})
	storetest.MustDo(t, "sign in", err)
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, "机关党支部") {
		t.Fatalf("after signing in as dj-admin: %d\n%.500s", resp.StatusCode, body)
	}
}

// startServe runs serve with args in the background until the test ends and returns the URL it
// prints and its console output.
func startServe(t *testing.T, env func(string) string, scheme string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), env, strings.NewReader(""), out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	re := regexp.MustCompile(scheme + `://127\.0\.0\.1:\d+/`)
	var url string
	for deadline := time.Now().Add(60 * time.Second); url == "" && time.Now().Before(deadline); {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve stopped: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		url = re.FindString(out.String())
	}
	if url == "" {
		t.Fatalf("no URL printed:\n%s", out.String())
	}
	return url, out
}

// newClient returns an HTTP client that keeps cookies.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	storetest.MustDo(t, "cookie jar", err)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// readBody reads and closes a response body.
func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	storetest.MustDo(t, "read body", err)
	return string(b)
}
