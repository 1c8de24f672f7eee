package api_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEveryRouteDocumented keeps docs/api.md in step with the route table.
func TestEveryRouteDocumented(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`mux\.Handle\("([A-Z]+ /api/v1/[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 18 {
		t.Fatalf("found %d routes in routes.go; the pattern no longer matches the table", len(routes))
	}
	for _, r := range routes {
		if !strings.Contains(string(doc), "### `"+r[1]+"`") {
			t.Errorf("docs/api.md has no section for %s", r[1])
		}
	}
}
