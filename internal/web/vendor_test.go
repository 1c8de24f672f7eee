package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVendoredAssetsMatchVersions guards the vendored files against edits by hand: each must
// have the checksum that scripts/vendor-assets.sh recorded.
func TestVendoredAssetsMatchVersions(t *testing.T) {
	list, err := os.ReadFile(filepath.Join("static", "vendor", "VERSIONS"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, line := range strings.Split(string(list), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || strings.HasPrefix(f[0], "#") {
			continue
		}
		data, err := os.ReadFile(filepath.Join("static", "vendor", f[0]))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != f[2] {
			t.Errorf("%s (%s): sha256 %s, VERSIONS says %s; run scripts/vendor-assets.sh", f[0], f[1], got, f[2])
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("VERSIONS lists no file")
	}
}
