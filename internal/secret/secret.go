// Package secret holds the keys that protect sensitive fields: SM4-GCM encryption at rest and
// keyed SM3 hashes for lookups. The master key lives outside the database.
package secret

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// KeyFile is the name of the master key file inside the data directory.
const KeyFile = "dangjian.key"

// Keys derives the working keys from one 32-byte master key.
type Keys struct {
	aead    cipher.AEAD
	lookup  []byte
	auditK  []byte
	linkK   []byte
	checkV  string
	version string
}

// New derives the working keys from master.
func New(master []byte) (*Keys, error) {
	if len(master) != 32 {
		return nil, errors.New("secret: master key must be 32 bytes")
	}
	derive := func(label string) []byte {
		m := hmac.New(sm3.New, master)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := sm4.NewCipher(derive("dangjian field encryption sm4 v1")[:16])
	if err != nil {
		return nil, fmt.Errorf("secret: sm4: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: gcm: %w", err)
	}
	k := &Keys{aead: aead, lookup: derive("dangjian lookup hash sm3 v1"), auditK: derive("dangjian audit chain sm3 v1"),
		linkK: derive("dangjian signed links sm3 v1"), version: "v1"}
	k.checkV = hex.EncodeToString(derive("dangjian key check v1"))[:16]
	return k, nil
}

// Load reads the master key from env (hex, 64 characters) when set, else from the key file in
// dataDir, creating the file with a fresh random key (mode 0600) when create is true.
func Load(dataDir, env string, create bool) (*Keys, error) {
	if env != "" {
		master, err := hex.DecodeString(strings.TrimSpace(env))
		if err != nil || len(master) != 32 {
			return nil, errors.New("secret: DANGJIAN_KEY must be 64 hexadecimal characters")
		}
		return New(master)
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		master := make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return nil, fmt.Errorf("secret: random: %w", err)
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("secret: create data directory: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("secret: create key file: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(master) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("secret: write key file: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("secret: sync key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("secret: close key file: %w", err)
		}
		return New(master)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: read key file: %w", err)
	}
	master, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(master) != 32 {
		return nil, fmt.Errorf("secret: key file %s is damaged", KeyFile)
	}
	return New(master)
}

// CheckValue identifies the key without revealing it; the database stores it to detect a
// start with the wrong key before anything is encrypted with it.
func (k *Keys) CheckValue() string { return k.checkV }

// Encrypt seals plaintext with SM4-GCM; the empty string stays empty.
func (k *Keys) Encrypt(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: nonce: %w", err)
	}
	sealed := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(k.version))
	return k.version + ":" + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a value sealed by Encrypt.
func (k *Keys) Decrypt(ciphertext string) (string, error) {
	if ciphertext == "" {
		return "", nil
	}
	ver, body, ok := strings.Cut(ciphertext, ":")
	if !ok || ver != k.version {
		return "", errors.New("secret: unknown ciphertext format")
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize() {
		return "", errors.New("secret: damaged ciphertext")
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(ver))
	if err != nil {
		return "", errors.New("secret: ciphertext does not open with this key")
	}
	return string(plain), nil
}

// Lookup returns a keyed SM3 hash of value for equality lookups; the empty string stays empty.
func (k *Keys) Lookup(kind, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sm3.New, k.lookup)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// AuditKey returns the key for the audit trail's HMAC-SM3 chain.
func (k *Keys) AuditKey() []byte { return k.auditK }

// LinkKey returns the key that signs short-lived links (meeting sign-in QR codes) and
// calendar feed tokens, so a link cannot be forged or extended.
func (k *Keys) LinkKey() []byte { return k.linkK }
