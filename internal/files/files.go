// Package files keeps uploaded files (meeting photos, sign-in sheets, PDFs) under the data
// directory, named by the SHA-256 of their content, after checking their size and their type
// by content.
package files

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"dangjian/internal/party"
)

// DefaultMaxBytes is the largest file accepted unless the store is configured otherwise.
const DefaultMaxBytes = 20 << 20

// Allowed lists the content types accepted, as net/http.DetectContentType names them.
var Allowed = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}

// Store is a directory of content-addressed files.
type Store struct {
	dir      string
	maxBytes int64
}

// New returns the store under dataDir/files, creating the directory; maxBytes <= 0 selects
// DefaultMaxBytes.
func New(dataDir string, maxBytes int64) (*Store, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	dir := filepath.Join(dataDir, "files")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("files: create directory: %w", err)
	}
	return &Store{dir: dir, maxBytes: maxBytes}, nil
}

// MaxBytes returns the size limit.
func (s *Store) MaxBytes() int64 { return s.maxBytes }

// Blob describes a stored file.
type Blob struct {
	SHA256 string // lower-case hex
	Size   int64
	MIME   string
}

// Put reads r to its end (at most MaxBytes), checks its type by content and stores it under
// its hash; storing the same content twice keeps one copy.
func (s *Store) Put(r io.Reader) (Blob, error) {
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return Blob{}, fmt.Errorf("files: temporary file: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	var head [512]byte
	n, err := io.ReadFull(r, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Blob{}, fmt.Errorf("files: read upload: %w", err)
	}
	if n == 0 {
		return Blob{}, party.Errorf(party.EINVALID, "文件是空的")
	}
	mime := http.DetectContentType(head[:n])
	if i := strings.IndexByte(mime, ';'); i >= 0 {
		mime = mime[:i]
	}
	if !slices.Contains(Allowed, mime) {
		return Blob{}, party.Errorf(party.EINVALID, "只能上传图片（JPEG、PNG、GIF、WebP）或 PDF 文件")
	}
	w := io.MultiWriter(tmp, h)
	if _, err := w.Write(head[:n]); err != nil {
		return Blob{}, fmt.Errorf("files: write upload: %w", err)
	}
	rest, err := io.Copy(w, io.LimitReader(r, s.maxBytes-int64(n)+1))
	if err != nil {
		return Blob{}, fmt.Errorf("files: write upload: %w", err)
	}
	size := int64(n) + rest
	if size > s.maxBytes {
		return Blob{}, party.Errorf(party.EINVALID, "文件超过%dMB", s.maxBytes>>20)
	}
	if err := tmp.Sync(); err != nil {
		return Blob{}, fmt.Errorf("files: sync upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Blob{}, fmt.Errorf("files: close upload: %w", err)
	}
	b := Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: size, MIME: mime}
	final := s.path(b.SHA256)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return Blob{}, fmt.Errorf("files: create directory: %w", err)
	}
	if _, err := os.Stat(final); err == nil {
		return b, nil
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Blob{}, fmt.Errorf("files: store upload: %w", err)
	}
	return b, nil
}

// Open opens the file with the given hash.
func (s *Store) Open(sha string) (*os.File, error) {
	if !ValidHash(sha) {
		return nil, party.Errorf(party.ENOTFOUND, "文件不存在")
	}
	f, err := os.Open(s.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, party.Errorf(party.ENOTFOUND, "文件不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("files: open: %w", err)
	}
	return f, nil
}

// Remove deletes the file with the given hash; the caller checks that nothing refers to it.
func (s *Store) Remove(sha string) error {
	if !ValidHash(sha) {
		return party.Errorf(party.ENOTFOUND, "文件不存在")
	}
	if err := os.Remove(s.path(sha)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("files: remove: %w", err)
	}
	return nil
}

// path spreads files over 256 directories by the first two hex digits of their hash.
func (s *Store) path(sha string) string { return filepath.Join(s.dir, sha[:2], sha) }

// ValidHash reports whether sha is 64 lower-case hex digits, so it can never name a path
// outside the store.
func ValidHash(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	for _, c := range sha {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// CleanName reduces an uploaded file's name to its last element, without control or
// directory characters and at most 100 characters, for display and downloads only.
func CleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || strings.ContainsRune(`"<>:|?*`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.Trim(name, "."))
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	if name == "" {
		name = "附件"
	}
	return name
}
