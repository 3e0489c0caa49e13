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

// The checks of this file run on this package and on esm, the other half
// of the test kit, whose API follows the same rules.
var apiDirs = []string{".", "../esm"}

// parsePackage parses the Go files of directory dir, keeping comments, and
// returns the non-test files and the test files.
func parsePackage(t *testing.T, dir string) (src, tests []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("%s: got no Go files, want the package", dir)
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
	for _, dir := range apiDirs {
		dir := dir // captured by the subtest's closure
		t.Run(filepath.Base(filepath.Clean(dir)), func(t *testing.T) {
			src, _ := parsePackage(t, dir)
			for _, b := range undocumented(src) {
				t.Errorf("%s: got no doc comment starting with its name, want one", b)
			}
		})
	}
}

// trivial lists the getters that need no Example, and should have none:
// their doc comment says all there is.
var trivial = map[string]bool{"Now": true, "ARN": true, "String": true, "Error": true, "KafkaID": true}

// entryPoint reports whether the function or method name (of type recv,
// "" for a function) is one a user starts from, which needs an Example:
// a package-level function (constructors, event builders, AssertFailures),
// Run and the methods that feed a simulator, and the checks of a Trace.
func entryPoint(recv, name string) bool {
	if trivial[name] {
		return false
	}
	if recv == "" {
		return true
	}
	switch {
	case name == "Run", name == "Put", name == "Insert", strings.HasPrefix(name, "Produce"), strings.HasPrefix(name, "Send"):
		return true
	case recv == "Trace" && (name == "Drained" || name == "InState"):
		return true
	}
	return false
}

// exported returns the names an Example may refer to: the exported types
// and functions, and "T_M" for each exported method M of an exported
// type T.
func exported(files []*ast.File) map[string]bool {
	names := map[string]bool{}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				recv := receiverName(d)
				switch {
				case !d.Name.IsExported():
				case recv == "":
					names[d.Name.Name] = true
				case ast.IsExported(recv):
					names[recv+"_"+d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if s, ok := spec.(*ast.TypeSpec); ok && s.Name.IsExported() {
						names[s.Name.Name] = true
					}
				}
			}
		}
	}
	return names
}

// Every entry point has a runnable Example; every Example has an
// // Output: block, names an existing identifier, and is not one of a
// trivial getter.
func TestExamples(t *testing.T) {
	for _, dir := range apiDirs {
		dir := dir // captured by the subtest's closure
		t.Run(filepath.Base(filepath.Clean(dir)), func(t *testing.T) {
			src, tests := parsePackage(t, dir)
			names := exported(src)
			have := map[string]bool{}
			for _, ex := range doc.Examples(tests...) {
				if ex.Output == "" && !ex.EmptyOutput {
					t.Errorf("Example%s: got no // Output: comment, want one", ex.Name)
				}
				// Example names are "", F, T, T_M, each with an optional
				// _suffix that starts with a lower-case letter.
				name := ex.Name
				if i := strings.LastIndex(name, "_"); i >= 0 && i+1 < len(name) && 'a' <= name[i+1] && name[i+1] <= 'z' {
					name = name[:i]
				}
				if name == "" {
					continue // the package's example
				}
				if !names[name] {
					t.Errorf("Example%s: got a name that refers to no exported identifier (%s), want one that does", ex.Name, name)
					continue
				}
				if trivial[name[strings.LastIndex(name, "_")+1:]] {
					t.Errorf("Example%s: got an Example of a trivial getter, want none", ex.Name)
				}
				have[name] = true
			}
			var missing []string
			for _, f := range src {
				for _, d := range f.Decls {
					fn, ok := d.(*ast.FuncDecl)
					if !ok || !fn.Name.IsExported() {
						continue
					}
					recv := receiverName(fn)
					if fn.Recv != nil && !ast.IsExported(recv) {
						continue
					}
					name := fn.Name.Name
					if recv != "" {
						name = recv + "_" + name
					}
					if entryPoint(recv, fn.Name.Name) && !have[name] {
						missing = append(missing, "Example"+name)
					}
				}
			}
			sort.Strings(missing)
			for _, m := range missing {
				t.Errorf("%s: got no runnable example, want one", m)
			}
		})
	}
}
