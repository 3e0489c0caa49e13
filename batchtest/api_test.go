package batchtest_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// parsePackage parses the Go files of the package's directory, keeping
// comments, and returns the non-test files and the test files.
func parsePackage(t *testing.T) (src, tests []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, b, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "_test.go") {
			tests = append(tests, f)
		} else {
			src = append(src, f)
		}
	}
	return src, tests
}

// receiverName returns the name of a method's receiver type, or "" for a
// function.
func receiverName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return ""
	}
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// undocumented returns a description of each exported identifier of files
// (types, functions, methods of exported types, constants, variables and
// the exported fields of exported structs) whose doc comment is missing or
// does not start with its name.
func undocumented(files []*ast.File) []string {
	var bad []string
	check := func(what string, doc *ast.CommentGroup, names ...string) {
		text := ""
		if doc != nil {
			text = doc.Text()
		}
		for _, n := range names {
			if strings.HasPrefix(text, n+" ") || strings.HasPrefix(text, n+",") {
				return
			}
		}
		bad = append(bad, what+strings.Join(names, ", "))
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				recv := receiverName(d)
				if !d.Name.IsExported() || (d.Recv != nil && !ast.IsExported(recv)) {
					continue
				}
				what := "func "
				if recv != "" {
					what = "method " + recv + "."
				}
				check(what, d.Doc, d.Name.Name)
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					doc := d.Doc
					if d.Lparen.IsValid() {
						doc = nil // in a group, each spec needs its own
					}
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						if s.Doc != nil {
							doc = s.Doc
						}
						check("type ", doc, s.Name.Name)
						st, ok := s.Type.(*ast.StructType)
						if !ok {
							continue
						}
						for _, fld := range st.Fields.List {
							var names []string
							for _, n := range fld.Names {
								if n.IsExported() {
									names = append(names, n.Name)
								}
							}
							if len(names) > 0 {
								check("field "+s.Name.Name+".", fld.Doc, names...)
							}
						}
					case *ast.ValueSpec:
						var names []string
						for _, n := range s.Names {
							if n.IsExported() {
								names = append(names, n.Name)
							}
						}
						if len(names) == 0 {
							continue
						}
						if s.Doc != nil {
							doc = s.Doc
						}
						check(d.Tok.String()+" ", doc, names...)
					}
				}
			}
		}
	}
	return bad
}

func TestEveryExportedIdentifierIsDocumented(t *testing.T) {
	src, _ := parsePackage(t)
	for _, b := range undocumented(src) {
		t.Errorf("%s: got no doc comment starting with its name, want one", b)
	}
}
func TestEveryExportedFunctionHasAnExample(t *testing.T) {
	src, tests := parsePackage(t)
	have := map[string]bool{}
	for _, ex := range doc.Examples(tests...) {
		if ex.Output == "" && !ex.EmptyOutput {
			t.Errorf("Example%s: got no // Output: comment, want one", ex.Name)
			continue
		}
		// Example names are F, F_suffix, T_M or T_M_suffix, where a
		// suffix starts with a lower-case letter.
		name := ex.Name
		for {
			have[name] = true
			i := strings.LastIndex(name, "_")
			if i < 0 || i+1 >= len(name) || !('a' <= name[i+1] && name[i+1] <= 'z') {
				break
			}
			name = name[:i]
		}
	}
	var missing []string
	for _, f := range src {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !fn.Name.IsExported() {
				continue
			}
			name := fn.Name.Name
			if recv := receiverName(fn); recv != "" {
				if !ast.IsExported(recv) {
					continue
				}
				name = recv + "_" + name
			}
			if !have[name] {
				missing = append(missing, "Example"+name)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s: got no runnable example, want one", m)
	}
}
