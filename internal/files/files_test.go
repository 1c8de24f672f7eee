package files_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangjian/internal/files"
	"dangjian/internal/party"
)

// png is the smallest valid PNG header, enough for content sniffing.
var png = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 100)...)

func TestPut(t *testing.T) {
	dir := t.TempDir()
	fs, err := files.New(dir, 1024)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("StoresByHashOnce", func(t *testing.T) {
		a, err := fs.Put(bytes.NewReader(png))
		if err != nil {
			t.Fatal(err)
		}
		b, err := fs.Put(bytes.NewReader(png))
		if err != nil {
			t.Fatal(err)
		}
		if a != b || a.MIME != "image/png" || a.Size != int64(len(png)) || !files.ValidHash(a.SHA256) {
			t.Fatalf("blobs %+v %+v", a, b)
		}
		f, err := fs.Open(a.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(got, png) {
			t.Fatal("content differs")
		}
		entries, _ := os.ReadDir(filepath.Join(dir, "files"))
		if len(entries) != 1 {
			t.Fatalf("want one directory and no temporary file, got %d entries", len(entries))
		}
		if err := fs.Remove(a.SHA256); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Open(a.SHA256); party.ErrorCode(err) != party.ENOTFOUND {
			t.Fatalf("after remove: %v", err)
		}
	})
	t.Run("PDFAccepted", func(t *testing.T) {
		b, err := fs.Put(strings.NewReader("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"))
		if err != nil || b.MIME != "application/pdf" {
			t.Fatalf("pdf: %+v %v", b, err)
		}
	})
	for name, content := range map[string]string{
		"ErrScriptAsImage": "<html><script>alert(1)</script></html>",
		"ErrText":          "姓名,身份证号\n张三,110101",
		"ErrEmpty":         "",
		"ErrExecutable":    "MZ\x90\x00\x03\x00\x00\x00",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := fs.Put(strings.NewReader(content)); party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
		})
	}
	t.Run("ErrTooLarge", func(t *testing.T) {
		big := append(bytes.Clone(png), bytes.Repeat([]byte{1}, 2000)...)
		if _, err := fs.Put(bytes.NewReader(big)); party.ErrorCode(err) != party.EINVALID {
			t.Fatalf("got %v, want invalid", err)
		}
	})
	t.Run("ErrPathTraversal", func(t *testing.T) {
		for _, bad := range []string{"../../etc/passwd", strings.Repeat("a", 63) + "/", strings.Repeat("A", 64)} {
			if _, err := fs.Open(bad); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("Open(%q): %v", bad, err)
			}
		}
	})
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"签到表.pdf":                "签到表.pdf",
		"../../etc/passwd":       "passwd",
		`C:\Users\a\照片 1.jpg`:    "照片 1.jpg",
		"a\x00b<script>.png":     "abscript.png",
		"..":                     "附件",
		strings.Repeat("长", 150): strings.Repeat("长", 100),
	} {
		if got := files.CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
