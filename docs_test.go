package batch_test

// TestDocs checks the user documentation: every ```go block of README.md,
// CONTRIBUTING.md and docs/*.md compiles; every relative link of those
// pages (and of CHANGELOG.md) names a file that exists, and a heading that
// exists when it has an #anchor; docs/README.md lists every page and the
// rules fragments follow. docs/README.md tells writers those rules; this
// comment says how they are checked.
//
// Each block becomes a package of its own in one temporary module, which
// replaces this repository's modules (root, batchotel, sqsdelete,
// dynamodbav, idempotency, policy) with their directories;
// testdata/docs/go.mod.txt and go.sum.txt hold its other requirements (the
// OpenTelemetry Lambda instrumentation, the AWS SDK's config), which the
// module cache, or the module proxy the first time, provides. One "go build ./..." and one
// "go vet ./..." check every block at once. A //line directive before each
// block makes the compiler name the Markdown file and line. With
// -update-docs-module the test runs go mod tidy in the temporary module and
// writes its go.mod and go.sum back to testdata/docs. -short skips it all.

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

var updateDocsModule = flag.Bool("update-docs-module", false, "rewrite testdata/docs/go.mod.txt and go.sum.txt with go mod tidy")

// docPages are the pages whose Go blocks are compiled, relative to the
// repository root; docs/*.md is added to them.
var docPages = []string{"README.md", "CONTRIBUTING.md"}

// linkPages are the pages whose relative links are checked, beside
// docPages.
var linkPages = []string{"CHANGELOG.md"}

// docImports maps the package names a fragment may use without importing
// them to their import paths. A program (a block that starts with a package
// clause) imports what it uses itself.
var docImports = map[string]string{
	"bytes":         "bytes",
	"context":       "context",
	"errors":        "errors",
	"fmt":           "fmt",
	"gzip":          "compress/gzip",
	"io":            "io",
	"json":          "encoding/json",
	"log":           "log",
	"os":            "os",
	"slog":          "log/slog",
	"strings":       "strings",
	"sync":          "sync",
	"testing":       "testing",
	"time":          "time",
	"events":        "github.com/aws/aws-lambda-go/events",
	"lambda":        "github.com/aws/aws-lambda-go/lambda",
	"lambdacontext": "github.com/aws/aws-lambda-go/lambdacontext",
	"batch":         "github.com/seed-45ee126e/batch",
	"batchmetrics":  "github.com/seed-45ee126e/batch/batchmetrics",
	"batchslog":     "github.com/seed-45ee126e/batch/batchslog",
	"batchtest":     "github.com/seed-45ee126e/batch/batchtest",
	"esm":           "github.com/seed-45ee126e/batch/esm",
	"batchotel":     "github.com/seed-45ee126e/batch/batchotel",
	"dynamodbav":    "github.com/seed-45ee126e/batch/dynamodbav",
	"sqsdelete":     "github.com/seed-45ee126e/batch/sqsdelete",
	"idempotency":   "github.com/seed-45ee126e/batch/idempotency",
	"policy":        "github.com/seed-45ee126e/batch/policy",
	"config":        "github.com/aws/aws-sdk-go-v2/config",
	"sqs":           "github.com/aws/aws-sdk-go-v2/service/sqs",
}

// docStandIns are the declarations a fragment may use without declaring
// them: they stand for the reader's own code. A fragment that declares one
// of these names at top level replaces it.
const docStandIns = `package snippet

// Order is the payload of the examples.
type Order struct {
	ID  string ` + "`json:\"id\"`" + `
	Qty int    ` + "`json:\"qty\"`" + `
}

func handle(ctx context.Context, o Order) error { return nil }
func ship(ctx context.Context, o Order) error   { return nil }
func process(ctx context.Context, body string) error { return nil }
`

// A block is one ```go block of a page.
type block struct {
	page string // relative to the repository root
	line int    // line of the block's first line of code
	code string
}

func TestDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every Go block of the documentation; skipped with -short")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	pages := append([]string(nil), docPages...)
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range more {
		rel, _ := filepath.Rel(root, p)
		pages = append(pages, filepath.ToSlash(rel))
	}
	if len(more) == 0 {
		t.Error("no pages in docs/")
	}

	t.Run("links", func(t *testing.T) {
		for _, p := range append(append([]string(nil), pages...), linkPages...) {
			checkLinks(t, root, p)
		}
	})
	t.Run("writers", func(t *testing.T) {
		checkWritersPage(t, root)
	})
	t.Run("snippets", func(t *testing.T) {
		var blocks []block
		for _, p := range pages {
			bs, err := goBlocks(root, p)
			if err != nil {
				t.Fatal(err)
			}
			blocks = append(blocks, bs...)
		}
		buildBlocks(t, root, blocks)
	})
}

// checkWritersPage checks that docs/README.md lists every page of docs/,
// and, where it tells writers what a fragment may use, names every package
// of docImports and shows every stand-in as docStandIns declares it.
func checkWritersPage(t *testing.T, root string) {
	data, err := os.ReadFile(filepath.Join(root, "docs", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	for name := range docImports {
		if !strings.Contains(page, "`"+name+"`") {
			t.Errorf("docs/README.md does not list the package name %s that fragments may use", name)
		}
	}
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if name := filepath.Base(p); name != "README.md" && !strings.Contains(page, "]("+name+")") {
			t.Errorf("docs/README.md does not list the page %s", name)
		}
	}
	flat := strings.Join(strings.Fields(page), " ")
	for _, line := range strings.Split(docStandIns, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" || strings.HasPrefix(line, "//") || strings.HasPrefix(line, "package ") {
			continue
		}
		if !strings.Contains(flat, line) {
			t.Errorf("docs/README.md does not show the stand-in line %q", line)
		}
	}
}

// fence matches the line that opens or closes a fenced code block, and
// the info string of an opening one.
var fence = regexp.MustCompile("^\\s*(```+|~~~+)\\s*([^`\\s]*)")

// goBlocks returns the ```go blocks of a page.
func goBlocks(root, page string) ([]block, error) {
	data, err := os.ReadFile(filepath.Join(root, page))
	if err != nil {
		return nil, err
	}
	var (
		out    []block
		in     string // the opening fence while inside a block
		isGo   bool
		start  int
		lines  []string
		lineNo int
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		m := fence.FindStringSubmatch(line)
		switch {
		case in == "" && m != nil:
			in, isGo, start, lines = m[1], m[2] == "go", lineNo+1, nil
		case in != "" && m != nil && strings.HasPrefix(m[1], in) && m[2] == "":
			if isGo {
				out = append(out, block{page: page, line: start, code: strings.Join(lines, "\n") + "\n"})
			}
			in = ""
		case in != "":
			lines = append(lines, line)
		}
	}
	if in != "" {
		return nil, fmt.Errorf("%s:%d: code block not closed", page, start-1)
	}
	return out, sc.Err()
}

// buildBlocks compiles every block as a package of one temporary module
// and reports each compiler or vet message at the page and line it names.
func buildBlocks(t *testing.T, root string, blocks []block) {
	if len(blocks) == 0 {
		t.Fatal("no Go blocks found")
	}
	dir := t.TempDir()
	if err := writeDocsModule(root, dir); err != nil {
		t.Fatal(err)
	}
	where := map[string]string{} // package directory -> page:line
	for i, b := range blocks {
		src, err := blockSource(root, b)
		if err != nil {
			t.Errorf("%s:%d: %v", b.page, b.line, err)
			continue
		}
		pkg := fmt.Sprintf("b%03d", i)
		where[pkg] = fmt.Sprintf("%s:%d", b.page, b.line)
		if err := os.Mkdir(filepath.Join(dir, pkg), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range src {
			if err := os.WriteFile(filepath.Join(dir, pkg, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("%d Go blocks in %d packages", len(blocks), len(where))

	goCmd := func(args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if *updateDocsModule {
		if out, err := goCmd("mod", "tidy"); err != nil {
			t.Fatalf("go mod tidy: %v\n%s", err, out)
		}
		if err := saveDocsModule(root, dir); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		out, err := goCmd(step...)
		if err == nil {
			continue
		}
		reportGoErrors(t, root, dir, where, strings.Join(step, " "), out)
		return // vet repeats what build found
	}
}

// reportGoErrors reports the messages of a failed go command: those that
// name a page (through the //line directives) at that page and line, the
// others with the blocks their packages hold.
func reportGoErrors(t *testing.T, root, dir string, where map[string]string, step, out string) {
	prefix := root + string(filepath.Separator)
	named := 0
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimPrefix(line, "vet: ")
		if strings.HasPrefix(line, prefix) {
			t.Errorf("%s", strings.TrimPrefix(line, prefix))
			named++
		}
	}
	if named > 0 {
		return
	}
	// No message names a page: say which block each package directory is.
	for pkg, at := range where {
		out = strings.ReplaceAll(out, "docsnippets/"+pkg, at)
		out = strings.ReplaceAll(out, filepath.Join(dir, pkg), at)
	}
	t.Errorf("go %s failed:\n%s", step, out)
}

// writeDocsModule writes the temporary module's go.mod and go.sum from
// testdata/docs, with the repository's modules replaced by their
// directories.
func writeDocsModule(root, dir string) error {
	mod, err := os.ReadFile(filepath.Join(root, "testdata", "docs", "go.mod.txt"))
	if err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(root, "testdata", "docs", "go.sum.txt"))
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(mod), "=> ../..", "=> "+root)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(text), 0o644); err != nil {
		return err
	}
	// The repository's own go.sum files cover what its modules need, should
	// a companion's requirements move ahead of go.sum.txt.
	for _, m := range []string{".", "batchotel", "sqsdelete", "dynamodbav", "idempotency", "policy"} {
		s, err := os.ReadFile(filepath.Join(root, m, "go.sum"))
		if err != nil {
			return err
		}
		sum = append(sum, s...)
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), dedupeLines(sum), 0o644)
}

// saveDocsModule writes the temporary module's go.mod and go.sum back to
// testdata/docs.
func saveDocsModule(root, dir string) error {
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(mod), "=> "+root, "=> ../..")
	if err := os.WriteFile(filepath.Join(root, "testdata", "docs", "go.mod.txt"), []byte(text), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "testdata", "docs", "go.sum.txt"), sum, 0o644)
}

// dedupeLines returns the distinct non-empty lines of data, sorted.
func dedupeLines(data []byte) []byte {
	seen := map[string]bool{}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && !seen[l] {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return []byte(strings.Join(lines, "\n") + "\n")
}

// blockSource returns the files of the package that compiles b: the block
// itself when it is a program (it starts with a package clause), or else
// the fragment in package snippet with the imports it uses and the
// stand-ins it does not declare itself (see docs/README.md).
func blockSource(root string, b block) (map[string]string, error) {
	directive := fmt.Sprintf("//line %s:%d:1\n", filepath.Join(root, b.page), b.line)
	if startsWithPackage(b.code) {
		return map[string]string{"main.go": directive + b.code}, nil
	}
	fset := token.NewFileSet()
	// Top-level declarations?
	src := "package snippet\n" + directive + b.code
	f, declErr := parser.ParseFile(fset, "", src, parser.ParseComments)
	if declErr != nil {
		// Statements: the body of a function, with each variable they
		// declare used once so that the compiler does not reject an
		// example for leaving one unused.
		body := "package snippet\nfunc _() {\n" + directive + b.code + "}\n"
		var err error
		f, err = parser.ParseFile(fset, "", body, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("neither declarations (%v) nor statements (%v)", declErr, err)
		}
		var uses []string
		for _, s := range f.Decls[0].(*ast.FuncDecl).Body.List {
			for _, name := range declaredBy(s) {
				uses = append(uses, "\t_ = "+name+"\n")
			}
		}
		src = "package snippet\nfunc _() {\n" + directive + b.code + strings.Join(uses, "") + "}\n"
		if f, err = parser.ParseFile(fset, "", src, parser.ParseComments); err != nil {
			return nil, err
		}
	}
	files := map[string]string{"snippet.go": withImports(f, src)}

	// The stand-ins the block does not declare itself.
	declared := map[string]bool{}
	if declErr == nil {
		for _, d := range f.Decls {
			for _, name := range topLevelNames(d) {
				declared[name] = true
			}
		}
	}
	sfset := token.NewFileSet()
	sf, err := parser.ParseFile(sfset, "standins.go", docStandIns, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("stand-ins: %v", err)
	}
	var kept []ast.Decl
	for _, d := range sf.Decls {
		keep := true
		for _, name := range topLevelNames(d) {
			if declared[name] {
				keep = false
			}
		}
		if keep {
			kept = append(kept, d)
		}
	}
	sf.Decls, sf.Comments = kept, nil
	var buf bytes.Buffer
	if err := printer.Fprint(&buf, sfset, sf); err != nil {
		return nil, err
	}
	sf, err = parser.ParseFile(sfset, "standins.go", buf.String(), 0)
	if err != nil {
		return nil, err
	}
	files["standins.go"] = withImports(sf, buf.String())
	return files, nil
}

// startsWithPackage reports whether the first line of code that is not a
// comment or blank is a package clause.
func startsWithPackage(code string) bool {
	for _, l := range strings.Split(code, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		return strings.HasPrefix(l, "package ")
	}
	return false
}

// declaredBy returns the names a statement declares in its block.
func declaredBy(s ast.Stmt) []string {
	var names []string
	switch s := s.(type) {
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE {
			for _, e := range s.Lhs {
				if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
					names = append(names, id.Name)
				}
			}
		}
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, spec := range g.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					if id.Name != "_" {
						names = append(names, id.Name)
					}
				}
			}
		}
	}
	return names
}

// topLevelNames returns the names a top-level declaration declares; a
// method declares none.
func topLevelNames(d ast.Decl) []string {
	var names []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			names = append(names, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			switch s := spec.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, id := range s.Names {
					names = append(names, id.Name)
				}
			}
		}
	}
	return names
}

// withImports returns src with an import declaration, after the package
// clause, of each package of docImports that f uses and does not import.
func withImports(f *ast.File, src string) string {
	imported := map[string]bool{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		imported[name] = true
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil && !imported[id.Name] {
				if _, known := docImports[id.Name]; known {
					used[id.Name] = true
				}
			}
		}
		return true
	})
	if len(used) == 0 {
		return src
	}
	var names []string
	for name := range used {
		names = append(names, name)
	}
	sort.Strings(names)
	var imports strings.Builder
	for _, name := range names {
		p := docImports[name]
		if p[strings.LastIndex(p, "/")+1:] == name {
			fmt.Fprintf(&imports, "import %q\n", p)
		} else {
			fmt.Fprintf(&imports, "import %s %q\n", name, p)
		}
	}
	// The package clause is the first line of every generated file.
	i := strings.Index(src, "\n") + 1
	return src[:i] + imports.String() + src[i:]
}

// Links.

var (
	// inlineLink matches [text](target) and ![text](target), with an
	// optional title.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// refLink matches a reference definition: [label]: target.
	refLink = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*(\S+)`)
	// codeSpan matches inline code, whose brackets are not links.
	codeSpan = regexp.MustCompile("`+[^`]*`+")
)

// proseLine is a line of Markdown outside code fences, and its index.
type proseLine struct {
	n    int // from 0
	text string
}

// proseLines returns the lines of a Markdown document that are outside
// fenced code blocks (a fence closes with the same characters it opened
// with, at least as many).
func proseLines(data []byte) []proseLine {
	var out []proseLine
	inFence := ""
	for i, line := range strings.Split(string(data), "\n") {
		if m := fence.FindStringSubmatch(line); m != nil {
			switch {
			case inFence == "":
				inFence = m[1]
				continue
			case strings.HasPrefix(m[1], inFence) && m[2] == "":
				inFence = ""
				continue
			}
		}
		if inFence == "" {
			out = append(out, proseLine{i, line})
		}
	}
	return out
}

// checkLinks reports each relative link of page whose file does not exist,
// or whose #anchor names no heading of a Markdown target.
func checkLinks(t *testing.T, root, page string) {
	data, err := os.ReadFile(filepath.Join(root, page))
	if err != nil {
		t.Error(err)
		return
	}
	for _, pl := range proseLines(data) {
		i, line := pl.n, pl.text
		text := codeSpan.ReplaceAllString(line, "")
		var targets []string
		for _, m := range inlineLink.FindAllStringSubmatch(text, -1) {
			targets = append(targets, m[1])
		}
		if m := refLink.FindStringSubmatch(text); m != nil {
			targets = append(targets, m[1])
		}
		for _, target := range targets {
			if msg := checkLink(root, page, target); msg != "" {
				t.Errorf("%s:%d: link %q: %s", page, i+1, target, msg)
			}
		}
	}
}

// checkLink returns what is wrong with a link of page, or "".
func checkLink(root, page, target string) string {
	if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
		return ""
	}
	path, anchor := target, ""
	if i := strings.IndexByte(target, '#'); i >= 0 {
		path, anchor = target[:i], target[i+1:]
	}
	file := filepath.Join(root, page) // a bare #anchor is in the page itself
	if path != "" {
		file = filepath.Join(root, filepath.Dir(page), filepath.FromSlash(path))
		if _, err := os.Stat(file); err != nil {
			return "no such file or directory"
		}
	}
	if anchor == "" || !strings.HasSuffix(file, ".md") {
		return ""
	}
	anchors, err := headingAnchors(file)
	if err != nil {
		return err.Error()
	}
	if !anchors[anchor] {
		return "no heading with that anchor in " + filepath.Base(file)
	}
	return ""
}

// headingAnchors returns the anchors GitHub gives the headings of a
// Markdown file: lower case, punctuation other than '-' and '_' dropped,
// spaces turned into '-', and "-1", "-2"… added to repeats.
func headingAnchors(file string) (map[string]bool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	anchors := map[string]bool{}
	count := map[string]int{}
	for _, pl := range proseLines(data) {
		line := pl.text
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.TrimLeft(line, "#")
		if len(line)-len(h) > 6 || !strings.HasPrefix(h, " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(h)) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := count[a]; n > 0 {
			anchors[a+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[a] = true
		}
		count[a]++
	}
	return anchors, nil
}
