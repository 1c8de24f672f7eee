package audit_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"dangjian/internal/audit"
)

// TestEveryAuditedNameHasALabel reads the program's source for every action and object type
// that can reach the audit trail and fails on one without a Chinese label, so a new one cannot
// show up in English on the audit page or in its export. It takes the Act... and Obj...
// constants of the store and the arguments of every call that appends a row (tx.audit and
// the functions that pass their own parameter on to it, such as RecordExport, called from
// other packages too), following a variable to what is assigned to it.
func TestEveryAuditedNameHasALabel(t *testing.T) {
	src := scanSource(t, filepath.Join("..", ".."))
	actions, objects := map[string]string{}, map[string]string{}
	for name, v := range src.pkgs[storeDir].consts {
		switch {
		case isVocab(name, "Act"):
			actions[v.value] = v.pos
		case isVocab(name, "Obj"):
			objects[v.value] = v.pos
		}
	}
	// The store's own appends, and the functions forwarding a parameter to them, found until
	// no new one appears.
	fwd := map[string][2]int{"appendAudit": {2, 3}, "auditOutcome": {2, 3}, "audit": {1, 2}}
	for changed := true; changed; {
		changed = false
		for _, c := range src.calls(fwd) {
			for i, idx := range c.args {
				if idx < 0 {
					continue
				}
				vals, param, err := c.resolve(src, c.call.Args[idx])
				if err != nil {
					t.Errorf("%s: %s argument of %s: %v", c.pos, [2]string{"action", "object type"}[i], c.name, err)
					continue
				}
				if param >= 0 {
					f := fwd[c.fn.Name.Name]
					if _, ok := fwd[c.fn.Name.Name]; !ok {
						f = [2]int{-1, -1}
					}
					if f[i] != param {
						f[i] = param
						fwd[c.fn.Name.Name] = f
						changed = true
					}
					continue
				}
				for _, v := range vals {
					if i == 0 {
						actions[v] = c.pos
					} else {
						objects[v] = c.pos
					}
				}
			}
		}
	}
	if _, ok := fwd["RecordExport"]; !ok {
		t.Fatalf("the scan found no forwarder RecordExport: it no longer reads the calls it should (forwarders %v)", fwd)
	}
	t.Logf("%d actions, %d object types; forwarders %v", len(actions), len(objects), fwd)
	if len(actions) < 20 || len(objects) < 15 {
		t.Fatalf("the scan found %d actions and %d object types: too few, it misses some", len(actions), len(objects))
	}
	for _, set := range []struct {
		kind  string
		names map[string]string
		label func(string) string
	}{{"action", actions, audit.ActionLabel}, {"object type", objects, audit.ObjectLabel}} {
		for _, v := range sortedKeys(set.names) {
			if l := set.label(v); l == v || l == "" {
				t.Errorf("audit %s %q (%s) has no Chinese label", set.kind, v, set.names[v])
			}
		}
	}
}

// isVocab reports whether a constant's name is an audit action (prefix Act) or object type
// (prefix Obj), as the store names them.
func isVocab(name, prefix string) bool {
	return strings.HasPrefix(name, prefix) && len(name) > len(prefix) && name[len(prefix)] >= 'A' && name[len(prefix)] <= 'Z'
}

const storeDir = "internal/store"

// source is the parsed non-test Go source of the module's packages.
type source struct {
	fset *token.FileSet
	pkgs map[string]*pkgSource // by directory relative to the module root
}

type pkgSource struct {
	files  []*ast.File
	consts map[string]constValue // package-level string constants
}

type constValue struct{ value, pos string }

func scanSource(t *testing.T, root string) *source {
	t.Helper()
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	s := &source{fset: token.NewFileSet(), pkgs: map[string]*pkgSource{}}
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(s.fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			p := s.pkgs[rel]
			if p == nil {
				p = &pkgSource{consts: map[string]constValue{}}
				s.pkgs[rel] = p
			}
			p.files = append(p.files, f)
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
					for _, spec := range g.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, n := range vs.Names {
							if i < len(vs.Values) {
								if v, ok := stringLit(vs.Values[i]); ok {
									p.consts[n.Name] = constValue{v, s.fset.Position(n.Pos()).String()}
								}
							}
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if s.pkgs[storeDir] == nil {
		t.Fatalf("no source in %s", storeDir)
	}
	return s
}

func stringLit(e ast.Expr) (string, bool) {
	l, ok := e.(*ast.BasicLit)
	if !ok || l.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(l.Value)
	return v, err == nil
}

// auditCall is a call of a function that appends an audit row.
type auditCall struct {
	name string
	call *ast.CallExpr
	args [2]int // indexes of the action and object type arguments, -1 for none
	fn   *ast.FuncDecl
	pkg  string
	pos  string
}

// calls finds the calls of the forwarders fwd: unexported ones in the store only, exported
// ones anywhere. A function is known by its name alone, which may take in a call of another
// function of that name: a false alarm at worst, never a miss.
func (s *source) calls(fwd map[string][2]int) []auditCall {
	var out []auditCall
	for dir, p := range s.pkgs {
		for _, f := range p.files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					var name string
					switch f := call.Fun.(type) {
					case *ast.SelectorExpr:
						name = f.Sel.Name
					case *ast.Ident:
						name = f.Name
					}
					args, ok := fwd[name]
					if !ok || (dir != storeDir && !ast.IsExported(name)) {
						return true
					}
					if max(args[0], args[1]) >= len(call.Args) {
						return true // another function of the same name
					}
					out = append(out, auditCall{name: name, call: call, args: args, fn: fn, pkg: dir,
						pos: s.fset.Position(call.Pos()).String()})
					return true
				})
			}
		}
	}
	return out
}

// resolve returns the string values expression e can have in the call's function: a
// literal, a constant, or a local variable and what is assigned to it. When e is (or is
// assigned from) a parameter of the function, it returns that parameter's index instead.
func (c *auditCall) resolve(s *source, e ast.Expr) ([]string, int, error) {
	return c.resolveDepth(s, e, 0)
}

func (c *auditCall) resolveDepth(s *source, e ast.Expr, depth int) ([]string, int, error) {
	if depth > 8 {
		return nil, -1, fmt.Errorf("variable assigned from itself")
	}
	if v, ok := stringLit(e); ok {
		return []string{v}, -1, nil
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return c.resolveDepth(s, e.X, depth+1)
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok && x.Name == "store" {
			if v, ok := s.pkgs[storeDir].consts[e.Sel.Name]; ok {
				return []string{v.value}, -1, nil
			}
		}
	case *ast.Ident:
		if i := paramIndex(c.fn, e.Name); i >= 0 {
			return nil, i, nil
		}
		var vals []string
		var bad error
		ast.Inspect(c.fn.Body, func(n ast.Node) bool {
			var lhs, rhs []ast.Expr
			switch a := n.(type) {
			case *ast.AssignStmt:
				lhs, rhs = a.Lhs, a.Rhs
			case *ast.ValueSpec:
				for _, n := range a.Names {
					lhs = append(lhs, n)
				}
				rhs = a.Values
			default:
				return true
			}
			for i, l := range lhs {
				if id, ok := l.(*ast.Ident); !ok || id.Name != e.Name {
					continue
				}
				if len(rhs) != len(lhs) {
					bad = fmt.Errorf("%s is assigned from a call, which the test cannot follow: assign constants", e.Name)
					return false
				}
				vs, p, err := c.resolveDepth(s, rhs[i], depth+1)
				if err == nil && p >= 0 {
					err = fmt.Errorf("%s is assigned from a parameter, which the test cannot follow: pass it on directly", e.Name)
				}
				if err != nil {
					bad = err
					return false
				}
				vals = append(vals, vs...)
			}
			return true
		})
		if bad != nil {
			return nil, -1, bad
		}
		if len(vals) > 0 {
			return vals, -1, nil
		}
		if v, ok := s.pkgs[c.pkg].consts[e.Name]; ok {
			return []string{v.value}, -1, nil
		}
	}
	return nil, -1, fmt.Errorf("cannot tell its value: pass a constant, a literal or a variable assigned from them")
}

// paramIndex returns the index of fn's parameter called name, -1 when it has none.
func paramIndex(fn *ast.FuncDecl, name string) int {
	i := 0
	for _, f := range fn.Type.Params.List {
		if len(f.Names) == 0 {
			i++
		}
		for _, n := range f.Names {
			if n.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestDetailTextForPeople(t *testing.T) {
	event := `[{"field":"title","new":"学雷锋志愿服务"},{"field":"counts","old":"false","new":"true"},` +
		`{"field":"end_at","new":"2026-12-02T08:00:00.000000Z"},{"field":"expected","old":"0","new":"27"}]`
	if got, want := audit.DetailText("event", event),
		"主题：学雷锋志愿服务；计为有效召开：否 → 是；结束时间：2026-12-02 16:00；应到人数：0 → 27"; got != want {
		t.Errorf("event detail:\n got %s\nwant %s", got, want)
	}
	if got := audit.DetailText("position", `[{"field":"title","new":"书记"}]`); got != "职务：书记" {
		t.Errorf("post detail: %s", got)
	}
}
