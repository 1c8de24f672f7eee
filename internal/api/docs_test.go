package api_test

import (
	"os"
	"strings"
	"testing"

	"dangjian/internal/api"
)

// TestEveryRouteDocumented keeps docs/api.md in step with the route table.
func TestEveryRouteDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	routes := api.New(nil, nil, nil).Routes()
	if len(routes) < 19 {
		t.Fatalf("found %d routes; the route table lost entries", len(routes))
	}
	for _, r := range routes {
		if !strings.HasPrefix(r.Pattern, "/") && !strings.Contains(string(doc), "### `"+r.Pattern+"`") {
			t.Errorf("docs/api.md has no section for %s", r.Pattern)
		}
	}
}
