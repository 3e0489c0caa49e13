package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// This file reads an AWS SAM template: the function to run and its batch
// event source, with the settings of the queue or stream it names, so
// that a local run uses the values that are deployed. The template is
// read as yaml.Node trees, so that CloudFormation's short-form tags
// (!Ref, !GetAtt, !Sub, !If, …) stay visible; the intrinsic functions the
// runner resolves are Ref and Fn::GetAtt to the logical id of a resource
// of the template, Ref to a parameter that has a Default, and Fn::Sub
// over such parameters. Anything else is not a literal, and the property
// that holds it is named in the error.

// Kinds of template errors, for errors.Is; a *templateError carries the
// file and the property.
var (
	errTemplateSyntax      = errors.New("not a YAML or JSON template")
	errNoFunction          = errors.New("no AWS::Serverless::Function")
	errSeveralFunctions    = errors.New("several functions")
	errUnknownFunction     = errors.New("no such function")
	errNoEventSource       = errors.New("no batch event source")
	errSeveralEventSources = errors.New("several batch event sources")
	errUnknownEventSource  = errors.New("no such event")
	errUnsupportedEvent    = errors.New("an event type the runner does not run")
	errNotLiteral          = errors.New("not a literal value or a reference the runner resolves")
	errBadValue            = errors.New("a value the runner cannot use")
	errNoMainPackage       = errors.New("no Go main package to build")
)

// templateError is a template, or one of its properties, that the runner
// cannot use.
type templateError struct {
	Path     string // the template file
	Property string // where in it, such as Resources.Function.Properties.Timeout; "" for the whole file
	Err      error  // wraps one of the kinds above, or a file system error
}

func (e *templateError) Error() string {
	if e.Property == "" {
		return e.Path + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.Property + ": " + e.Err.Error()
}

func (e *templateError) Unwrap() error { return e.Err }

// samTemplate is a parsed template.
type samTemplate struct {
	path      string
	dir       string                // the template's directory, which CodeUri is relative to
	params    map[string]*yaml.Node // Parameters, by name
	resources map[string]*yaml.Node // Resources, by logical id
	ids       []string              // the logical ids, in file order
	globals   *yaml.Node            // Globals.Function, or nil
}

func (t *samTemplate) errorf(property string, kind error, format string, a ...any) error {
	return &templateError{Path: t.path, Property: property, Err: fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, a...))}
}

// parseTemplate reads the template at path.
func parseTemplate(path string) (*samTemplate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%w: give the path of a SAM template, such as template.yaml", fs.ErrNotExist)
		}
		return nil, &templateError{Path: path, Err: err}
	}
	t := &samTemplate{path: path, dir: filepath.Dir(path), params: map[string]*yaml.Node{}, resources: map[string]*yaml.Node{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, t.errorf("", errTemplateSyntax, "%v", err)
	}
	if len(doc.Content) == 0 {
		return nil, t.errorf("", errTemplateSyntax, "the file is empty")
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, t.errorf("", errTemplateSyntax, "line %d: the top level is not a mapping of sections (Resources, …)", root.Line)
	}
	for _, kv := range pairs(mapGet(root, "Parameters")) {
		t.params[kv[0].Value] = kv[1]
	}
	res := mapGet(root, "Resources")
	if res != nil && res.Kind != yaml.MappingNode {
		return nil, t.errorf("Resources", errTemplateSyntax, "line %d: not a mapping of resources", res.Line)
	}
	for _, kv := range pairs(res) {
		t.resources[kv[0].Value] = kv[1]
		t.ids = append(t.ids, kv[0].Value)
	}
	t.globals = mapGet(mapGet(root, "Globals"), "Function")
	return t, nil
}

// resourceType returns the Type of a resource, "" when it has none.
func (t *samTemplate) resourceType(id string) string {
	r := t.resources[id]
	if ty := mapGet(r, "Type"); ty != nil && ty.Kind == yaml.ScalarNode {
		return ty.Value
	}
	return ""
}

// deref follows aliases.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapGet returns the value of key in the mapping m, or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return deref(m.Content[i+1])
		}
	}
	return nil
}

// pairs returns the keys and values of a mapping, in order.
func pairs(m *yaml.Node) [][2]*yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, [2]*yaml.Node{m.Content[i], deref(m.Content[i+1])})
	}
	return out
}

// intrinsic tells whether n is an intrinsic function, in the short form
// (a tag such as !Ref) or the long one ({"Fn::GetAtt": …}), and returns
// its name (Ref, Fn::GetAtt, …), how it was written and its argument.
func intrinsic(n *yaml.Node) (name, written string, arg *yaml.Node) {
	if n == nil {
		return "", "", nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		short := strings.TrimPrefix(n.Tag, "!")
		name = "Fn::" + short
		if short == "Ref" || short == "Condition" {
			name = short
		}
		a := *n
		a.Tag = ""
		switch a.Kind {
		case yaml.ScalarNode:
			a.Tag = "!!str"
		case yaml.SequenceNode:
			a.Tag = "!!seq"
		case yaml.MappingNode:
			a.Tag = "!!map"
		}
		return name, n.Tag, &a
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		if k := n.Content[0].Value; k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, k, deref(n.Content[1])
		}
	}
	return "", "", nil
}

// value is a template value after the intrinsic functions the runner
// resolves: a literal node, or a reference to a resource of the template.
type value struct {
	node *yaml.Node // a literal: scalar, mapping or sequence
	ref  string     // or the logical id of a resource (Ref, Fn::GetAtt)
	attr string     // the attribute, for Fn::GetAtt
}

// absent reports whether the property is not there, or is !Ref AWS::NoValue.
func (v value) absent() bool { return v.node == nil && v.ref == "" }

// resolve resolves n, the value of the property at where.
func (t *samTemplate) resolve(n *yaml.Node, where string) (value, error) {
	n = deref(n)
	name, written, arg := intrinsic(n)
	switch name {
	case "":
		return value{node: n}, nil
	case "Ref":
		if arg.Kind != yaml.ScalarNode {
			return value{}, t.errorf(where, errNotLiteral, "%s takes a name", written)
		}
		id := arg.Value
		if p, ok := t.params[id]; ok {
			d := mapGet(p, "Default")
			if d == nil {
				return value{}, t.errorf(where, errNotLiteral, "%s %s: the parameter has no Default", written, id)
			}
			return t.resolve(d, where)
		}
		if id == "AWS::NoValue" {
			return value{}, nil
		}
		if strings.HasPrefix(id, "AWS::") {
			return value{}, t.errorf(where, errNotLiteral, "%s %s is known only when the stack is deployed", written, id)
		}
		if _, ok := t.resources[id]; ok {
			return value{ref: id}, nil
		}
		return value{}, t.errorf(where, errNotLiteral, "%s %s: the template has no parameter or resource of that name", written, id)
	case "Fn::GetAtt":
		var id, attr string
		switch {
		case arg.Kind == yaml.ScalarNode:
			id, attr, _ = strings.Cut(arg.Value, ".")
		case arg.Kind == yaml.SequenceNode && len(arg.Content) == 2:
			id, attr = deref(arg.Content[0]).Value, deref(arg.Content[1]).Value
		}
		if _, ok := t.resources[id]; !ok || attr == "" {
			return value{}, t.errorf(where, errNotLiteral, "%s: want a resource of the template and an attribute, such as %s Queue.Arn", written, written)
		}
		return value{ref: id, attr: attr}, nil
	case "Fn::Sub":
		s, err := t.sub(arg, written, where)
		if err != nil {
			return value{}, err
		}
		return value{node: &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}}, nil
	}
	return value{}, t.errorf(where, errNotLiteral, "%s is resolved only when the stack is deployed", written)
}

// sub resolves Fn::Sub when every variable it names is a literal: one of
// its own variables or a parameter with a Default.
func (t *samTemplate) sub(arg *yaml.Node, written, where string) (string, error) {
	s := arg
	var vars *yaml.Node
	if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
		s, vars = deref(arg.Content[0]), deref(arg.Content[1])
	}
	if s == nil || s.Kind != yaml.ScalarNode {
		return "", t.errorf(where, errNotLiteral, "%s takes a string, or a string and a mapping of variables", written)
	}
	text := s.Value
	var out strings.Builder
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			out.WriteString(text)
			return out.String(), nil
		}
		out.WriteString(text[:i])
		rest := text[i+2:]
		j := strings.Index(rest, "}")
		if j < 0 {
			return "", t.errorf(where, errBadValue, "%s %q: a ${ without its }", written, s.Value)
		}
		name := rest[:j]
		text = rest[j+1:]
		if strings.HasPrefix(name, "!") { // ${!Literal} is written as ${Literal}
			out.WriteString("${" + name[1:] + "}")
			continue
		}
		n := mapGet(vars, name)
		if n == nil {
			if p, ok := t.params[name]; ok {
				n = mapGet(p, "Default")
			}
		}
		if n == nil {
			return "", t.errorf(where, errNotLiteral, "%s %q: ${%s} is known only when the stack is deployed", written, s.Value, name)
		}
		v, err := t.resolve(n, where)
		if err != nil {
			return "", err
		}
		if v.node == nil || v.node.Kind != yaml.ScalarNode {
			return "", t.errorf(where, errNotLiteral, "%s %q: ${%s} is not a literal string", written, s.Value, name)
		}
		out.WriteString(v.node.Value)
	}
}

// setting is one value read from a template. where is the property it
// came from, "" when the template does not set it (the runner's default
// then applies); err is set when the property is there but its value
// cannot be used. A flag given on the command line replaces the setting,
// so that a value the runner cannot read does not stop a run that names
// it.
type setting[T any] struct {
	value T
	where string
	err   error
}

func (s setting[T]) set() bool { return s.where != "" }

// scalar reads a literal scalar property.
func (t *samTemplate) scalar(m *yaml.Node, key, where string) (string, bool, error) {
	where += "." + key
	n := mapGet(m, key)
	if n == nil {
		return "", false, nil
	}
	v, err := t.resolve(n, where)
	switch {
	case err != nil:
		return "", false, err
	case v.absent() || v.node != nil && v.node.ShortTag() == "!!null":
		return "", false, nil
	case v.ref != "":
		return "", false, t.errorf(where, errNotLiteral, "a reference to the resource %s, whose name or ARN is known only when the stack is deployed", v.ref)
	case v.node.Kind != yaml.ScalarNode:
		return "", false, t.errorf(where, errBadValue, "line %d: a %s, not a single value", v.node.Line, kindName(v.node))
	}
	return v.node.Value, true, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

// intSetting reads an integer property; CloudFormation takes "5" as 5.
func (t *samTemplate) intSetting(m *yaml.Node, key, where string) setting[int] {
	s, ok, err := t.scalar(m, key, where)
	if err != nil || !ok {
		return setting[int]{err: err}
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return setting[int]{err: t.errorf(where+"."+key, errBadValue, "%q is not a whole number", s)}
	}
	return setting[int]{value: n, where: where + "." + key}
}

// secondsSetting reads a property in seconds.
func (t *samTemplate) secondsSetting(m *yaml.Node, key, where string) setting[time.Duration] {
	n := t.intSetting(m, key, where)
	return setting[time.Duration]{value: time.Duration(n.value) * time.Second, where: n.where, err: n.err}
}

func (t *samTemplate) boolSetting(m *yaml.Node, key, where string) setting[bool] {
	s, ok, err := t.scalar(m, key, where)
	if err != nil || !ok {
		return setting[bool]{err: err}
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return setting[bool]{value: true, where: where + "." + key}
	case "false":
		return setting[bool]{value: false, where: where + "." + key}
	}
	return setting[bool]{err: t.errorf(where+"."+key, errBadValue, "%q is not true or false", s)}
}

func (t *samTemplate) stringSetting(m *yaml.Node, key, where string) setting[string] {
	s, ok, err := t.scalar(m, key, where)
	if err != nil || !ok {
		return setting[string]{err: err}
	}
	return setting[string]{value: s, where: where + "." + key}
}

// mergeGlobals returns a function's properties with Globals.Function
// under them, as SAM merges them (samtranslator/plugins/globals/globals.py
// in aws/serverless-application-model): a mapping is merged key by key,
// recursively, the function's value winning; two lists are concatenated,
// the global one first; otherwise the function's value replaces the
// global one. An intrinsic function counts as a single value.
func mergeGlobals(global, own *yaml.Node) *yaml.Node {
	global, own = deref(global), deref(own)
	switch {
	case global == nil:
		return own
	case own == nil:
		return global
	}
	gName, _, _ := intrinsic(global)
	oName, _, _ := intrinsic(own)
	if gName != "" || oName != "" || global.Kind != own.Kind {
		return own
	}
	switch own.Kind {
	case yaml.MappingNode:
		out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: own.Line, Column: own.Column}
		for _, kv := range pairs(global) {
			v := kv[1]
			if o := mapGet(own, kv[0].Value); o != nil {
				v = mergeGlobals(v, o)
			}
			out.Content = append(out.Content, kv[0], v)
		}
		for _, kv := range pairs(own) {
			if mapGet(global, kv[0].Value) == nil {
				out.Content = append(out.Content, kv[0], kv[1])
			}
		}
		return out
	case yaml.SequenceNode:
		out := *own
		out.Content = append(append([]*yaml.Node{}, global.Content...), own.Content...)
		return &out
	}
	return own
}

// functionSettings is what the runner reads of a function.
type functionSettings struct {
	id      string          // its logical id
	dir     setting[string] // the directory of the Go main package to build
	name    setting[string] // FunctionName
	handler setting[string]
	timeout setting[time.Duration]
	memory  setting[int]
	env     []envVar // the environment variables with a literal value
	skipped []string // the others, with why, such as TABLE_NAME: !Ref Table …
	arch    string   // Architectures, for a note

	events *yaml.Node // the Events of its properties
	where  string     // Resources.<id>.Properties
}

// envVar is an environment variable of the function, and where it came
// from.
type envVar struct {
	key, value, where string
}

// function picks the function to run: the only AWS::Serverless::Function
// of the template, or the one whose logical id is id.
func (t *samTemplate) function(id string) (*functionSettings, error) {
	var fns []string
	for _, rid := range t.ids {
		if t.resourceType(rid) == "AWS::Serverless::Function" {
			fns = append(fns, rid)
		}
	}
	switch {
	case id != "" && !contains(fns, id):
		if ty := t.resourceType(id); ty != "" {
			return nil, t.errorf("Resources."+id, errUnknownFunction, "--function %s is an %s; the runner reads AWS::Serverless::Function resources (%s)", id, ty, listOr(fns))
		}
		return nil, t.errorf("", errUnknownFunction, "--function %s: the template has no resource of that name; its functions: %s", id, listOr(fns))
	case id != "":
	case len(fns) == 0:
		msg := "the runner reads the function from an AWS::Serverless::Function resource"
		for _, rid := range t.ids {
			if t.resourceType(rid) == "AWS::Lambda::Function" {
				msg += "; " + rid + " is an AWS::Lambda::Function, which it does not read (give FUNCTION and flags instead)"
				break
			}
		}
		return nil, t.errorf("Resources", errNoFunction, "%s", msg)
	case len(fns) > 1:
		return nil, t.errorf("Resources", errSeveralFunctions, "%s: give --function with one of them", strings.Join(fns, ", "))
	default:
		id = fns[0]
	}
	r := t.resources[id]
	own := mapGet(r, "Properties")
	props := mergeGlobals(t.globals, own)
	f := &functionSettings{id: id, where: "Resources." + id + ".Properties"}
	// where returns the property's path: the function's own, or
	// Globals.Function's when only Globals sets it.
	where := func(keys ...string) string {
		n := own
		for _, k := range keys {
			n = mapGet(n, k)
		}
		if n == nil && t.globals != nil {
			g := t.globals
			for _, k := range keys {
				g = mapGet(g, k)
			}
			if g != nil {
				return "Globals.Function"
			}
		}
		return f.where
	}
	f.timeout = t.secondsSetting(props, "Timeout", where("Timeout"))
	f.memory = t.intSetting(props, "MemorySize", where("MemorySize"))
	// The names are for display: one the runner cannot read (such as
	// !Sub ${AWS::StackName}-orders) is left to the runner's default.
	f.handler = optional(t.stringSetting(props, "Handler", where("Handler")))
	f.name = optional(t.stringSetting(props, "FunctionName", f.where))
	f.dir = t.mainDir(id, props, mapGet(r, "Metadata"), where("CodeUri"))
	if a := mapGet(props, "Architectures"); a != nil && a.Kind == yaml.SequenceNode && len(a.Content) == 1 {
		f.arch = deref(a.Content[0]).Value
	}
	vars := mapGet(mapGet(props, "Environment"), "Variables")
	for _, kv := range pairs(vars) {
		key := kv[0].Value
		w := where("Environment", "Variables", key) + ".Environment.Variables"
		s, ok, err := t.scalar(vars, key, w)
		switch {
		case err != nil:
			f.skipped = append(f.skipped, key+": "+reason(err))
		case ok:
			f.env = append(f.env, envVar{key: key, value: s, where: w + "." + key})
		}
	}
	f.events = mapGet(props, "Events")
	return f, nil
}

// reason returns what a template error says of the property, without
// the file, the property and the kind.
func reason(err error) string {
	var te *templateError
	if !errors.As(err, &te) {
		return err.Error()
	}
	msg := te.Err.Error()
	for _, kind := range []error{errNotLiteral, errBadValue} {
		msg = strings.TrimPrefix(msg, kind.Error()+": ")
	}
	return msg
}

// optional drops the error of a setting that only names something.
func optional(s setting[string]) setting[string] {
	if s.err != nil {
		return setting[string]{}
	}
	return s
}

func listOr(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// mainDir finds the Go main package of the function: CodeUri, relative
// to the template, when it holds one; otherwise, for a function built by
// a Makefile (Metadata.BuildMethod: makefile, as this repository's
// examples are), the package that the go build of the Makefile's
// build-<id> target names.
func (t *samTemplate) mainDir(id string, props, metadata *yaml.Node, where string) setting[string] {
	prop := where + ".CodeUri"
	for _, k := range []string{"ImageUri", "InlineCode"} {
		if mapGet(props, k) != nil {
			return setting[string]{err: t.errorf(where+"."+k, errNoMainPackage, "the function is not built from a directory; give FUNCTION, a Go main package or an executable")}
		}
	}
	uri := "."
	if n := mapGet(props, "CodeUri"); n != nil {
		v, err := t.resolve(n, prop)
		if err != nil {
			return setting[string]{err: err}
		}
		if v.node == nil || v.node.Kind != yaml.ScalarNode || strings.HasPrefix(v.node.Value, "s3://") {
			return setting[string]{err: t.errorf(prop, errNoMainPackage, "an S3 location, not a directory; give FUNCTION")}
		}
		uri = v.node.Value
	} else {
		prop = where + " (no CodeUri: the template's directory)"
	}
	dir := uri
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(t.dir, dir)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return setting[string]{err: t.errorf(prop, errNoMainPackage, "%s is not a directory next to the template; give FUNCTION", uri)}
	}
	err := mainPackage(dir)
	if err == nil {
		return setting[string]{value: dir, where: prop}
	}
	method := ""
	if m := mapGet(metadata, "BuildMethod"); m != nil {
		method = m.Value
	}
	if !strings.EqualFold(method, "makefile") {
		return setting[string]{err: t.errorf(prop, errNoMainPackage, "%v; give FUNCTION", err)}
	}
	mk := filepath.Join(dir, "Makefile")
	pkg, merr := makefilePackage(mk, "build-"+id)
	if merr != nil {
		return setting[string]{err: t.errorf(prop, errNoMainPackage, "%s holds no main package, and %v; give FUNCTION", uri, merr)}
	}
	pdir := filepath.Join(dir, filepath.FromSlash(pkg))
	if err := mainPackage(pdir); err != nil {
		return setting[string]{err: t.errorf(prop, errNoMainPackage, "the Makefile's build-%s builds %s: %v; give FUNCTION", id, pkg, err)}
	}
	return setting[string]{value: pdir, where: fmt.Sprintf("%s, and the go build of the Makefile's build-%s (%s)", prop, id, pkg)}
}

// makefilePackage returns the package that the go build of target's
// recipe in the Makefile at path builds, relative to the Makefile.
func makefilePackage(path, target string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("its Makefile cannot be read (%v)", err)
	}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	in := false
	for _, line := range strings.Split(text, "\n") {
		if !in {
			name, _, ok := strings.Cut(line, ":")
			in = ok && !strings.HasPrefix(line, "\t") && contains(strings.Fields(name), target)
			continue
		}
		if !strings.HasPrefix(line, "\t") {
			if s := strings.TrimSpace(line); s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			break
		}
		if pkg, ok := goBuildPackage(line); ok {
			return pkg, nil
		}
	}
	if !in {
		return "", fmt.Errorf("its Makefile has no %s target", target)
	}
	return "", fmt.Errorf("the %s target of its Makefile has no go build of one local package", target)
}

// goBuildFlags are the go build flags that take a value as the next
// argument.
var goBuildFlags = map[string]bool{
	"-o": true, "-tags": true, "-ldflags": true, "-gcflags": true, "-asmflags": true, "-gccgoflags": true,
	"-p": true, "-mod": true, "-modfile": true, "-overlay": true, "-pgo": true, "-pkgdir": true,
	"-toolexec": true, "-buildmode": true, "-compiler": true, "-installsuffix": true, "-coverpkg": true, "-covermode": true,
}

// goBuildPackage returns the package a shell line's go build names, when
// it names one local package (./lambda).
func goBuildPackage(line string) (string, bool) {
	f := shellFields(line)
	for i := 0; i+1 < len(f); i++ {
		if (f[i] != "go" && !strings.HasSuffix(f[i], "/go")) || f[i+1] != "build" {
			continue
		}
		var pkgs []string
	args:
		for j := i + 2; j < len(f); j++ {
			a := f[j]
			switch {
			case a == "&&" || a == "||" || a == ";" || a == "|":
				break args
			case a == "-C":
				return "", false // another directory: not followed
			case strings.HasPrefix(a, "-"):
				if !strings.Contains(a, "=") && goBuildFlags["-"+strings.TrimLeft(a, "-")] {
					j++ // the flag's value
				}
			default:
				pkgs = append(pkgs, strings.TrimSuffix(a, ";"))
			}
		}
		if len(pkgs) == 1 && (pkgs[0] == "." || strings.HasPrefix(pkgs[0], "./")) && !strings.Contains(pkgs[0], "...") {
			return pkgs[0], true
		}
		return "", false
	}
	return "", false
}

// shellFields splits a recipe line into words as a shell would, roughly:
// quotes and make's $(…) keep their spaces.
func shellFields(s string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	depth, has := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote, has = c, true
		case c == '(' && i > 0 && s[i-1] == '$':
			depth++
			cur.WriteByte(c)
		case c == ')' && depth > 0:
			depth--
			cur.WriteByte(c)
		case (c == ' ' || c == '\t') && depth == 0:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
			continue
		default:
			cur.WriteByte(c)
		}
		has = true
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// Event types: the ones the runner runs, by the source it runs them as,
// and the other batch event sources of SAM, which it does not.
var (
	eventSources = map[string]string{
		"SQS": srcSQS, "Kinesis": srcKinesis, "DynamoDB": srcDynamoDB,
		"MSK": srcKafka, "SelfManagedKafka": srcKafka,
	}
	otherBatchEvents = map[string]bool{"MQ": true, "DocumentDB": true}
)

// eventSettings is what the runner reads of the function's batch event
// source, and of the queue or stream it names.
type eventSettings struct {
	name   string // the event's name under Events
	typ    string // its Type: SQS, Kinesis, DynamoDB, MSK, SelfManagedKafka
	source string // the runner's source: sqs, kinesis, dynamodb, kafka
	where  string // the event's Properties

	fifo       setting[bool]
	resource   setting[string] // the name of the queue, stream, table or topic
	batchSize  setting[int]
	window     setting[time.Duration]
	report     setting[bool] // ReportBatchItemFailures is in FunctionResponseTypes
	visibility setting[time.Duration]
	maxReceive setting[int]
	retention  setting[time.Duration]
	shards     setting[int]
	maxRetry   setting[int]
	maxAge     setting[time.Duration]
	bisect     setting[bool]
	onFailure  setting[string] // the on-failure destination's name
	notSQS     string          // what the destination is, when not an SQS queue

	notApplied []string // settings read but not modelled by the runner
	notes      []string
}

// event picks the function's batch event source: the only one, or the
// event called name.
func (t *samTemplate) event(f *functionSettings, name string) (*eventSettings, error) {
	where := f.where + ".Events"
	type ev struct{ name, typ string }
	var all, batch []ev
	for _, kv := range pairs(f.events) {
		typ, _, err := t.scalar(kv[1], "Type", where+"."+kv[0].Value)
		if err != nil {
			return nil, err
		}
		e := ev{kv[0].Value, typ}
		all = append(all, e)
		if eventSources[typ] != "" || otherBatchEvents[typ] {
			batch = append(batch, e)
		}
	}
	names := func(es []ev) string {
		var s []string
		for _, e := range es {
			s = append(s, e.name+" ("+e.typ+")")
		}
		return listOr(s)
	}
	var pick ev
	switch {
	case name != "":
		found := false
		for _, e := range all {
			if e.name == name {
				pick, found = e, true
			}
		}
		if !found {
			return nil, t.errorf(where, errUnknownEventSource, "--event-source %s: the function %s has no event of that name; its events: %s", name, f.id, names(all))
		}
	case len(batch) == 0:
		msg := "the function " + f.id + " has no SQS, Kinesis, DynamoDB, MSK or SelfManagedKafka event"
		if len(all) > 0 {
			msg += "; its events: " + names(all)
		}
		return nil, t.errorf(where, errNoEventSource, "%s", msg)
	case len(batch) > 1:
		return nil, t.errorf(where, errSeveralEventSources, "%s: give --event-source with one of them", names(batch))
	default:
		pick = batch[0]
	}
	src := eventSources[pick.typ]
	if src == "" {
		why := "not a batch event source"
		if otherBatchEvents[pick.typ] {
			why = "a batch event source the runner does not run"
		}
		return nil, t.errorf(where+"."+pick.name+".Type", errUnsupportedEvent, "%s is %s; it runs SQS, Kinesis, DynamoDB, MSK and SelfManagedKafka events", pick.typ, why)
	}
	e := &eventSettings{name: pick.name, typ: pick.typ, source: src, where: where + "." + pick.name + ".Properties"}
	p := mapGet(mapGet(f.events, pick.name), "Properties")
	e.batchSize = t.intSetting(p, "BatchSize", e.where)
	e.window = t.secondsSetting(p, "MaximumBatchingWindowInSeconds", e.where)
	e.report = t.responseTypes(p, e.where)
	if en := t.boolSetting(p, "Enabled", e.where); en.set() && !en.value {
		e.notes = append(e.notes, fmt.Sprintf("the event %s is disabled in the template (Enabled: false); the run invokes the function all the same", e.name))
	}
	if mapGet(p, "FilterCriteria") != nil {
		e.notApplied = append(e.notApplied, "FilterCriteria: not applied, every record reaches the function")
	}
	switch src {
	case srcSQS:
		t.queue(e, p)
		if mapGet(p, "ScalingConfig") != nil {
			e.notApplied = append(e.notApplied, "ScalingConfig: not modelled, one invocation at a time")
		}
	default:
		t.stream(e, p)
	}
	return e, nil
}

// responseTypes reads FunctionResponseTypes: absent, or without
// ReportBatchItemFailures, is a setting too, which the template makes.
func (t *samTemplate) responseTypes(p *yaml.Node, where string) setting[bool] {
	prop := where + ".FunctionResponseTypes"
	n := mapGet(p, "FunctionResponseTypes")
	if n == nil {
		return setting[bool]{value: false, where: where + " (no FunctionResponseTypes)"}
	}
	v, err := t.resolve(n, prop)
	if err != nil {
		return setting[bool]{err: err}
	}
	if v.node == nil || v.node.Kind != yaml.SequenceNode {
		return setting[bool]{err: t.errorf(prop, errBadValue, "not a list, such as [ReportBatchItemFailures]")}
	}
	for i, item := range v.node.Content {
		iv, err := t.resolve(item, fmt.Sprintf("%s[%d]", prop, i))
		if err != nil {
			return setting[bool]{err: err}
		}
		if iv.node != nil && iv.node.Value == "ReportBatchItemFailures" {
			return setting[bool]{value: true, where: prop}
		}
	}
	return setting[bool]{value: false, where: prop}
}

// queue reads an SQS event's queue: FIFO, visibility timeout, retention
// and the redrive policy's maxReceiveCount, from the AWS::SQS::Queue of
// the template it names.
func (t *samTemplate) queue(e *eventSettings, p *yaml.Node) {
	prop := e.where + ".Queue"
	fail := func(err error) {
		e.fifo.err, e.visibility.err, e.maxReceive.err, e.retention.err = err, err, err, err
	}
	n := mapGet(p, "Queue")
	if n == nil {
		fail(t.errorf(e.where, errBadValue, "no Queue"))
		return
	}
	v, err := t.resolve(n, prop)
	if err != nil {
		fail(err)
		return
	}
	if v.node != nil && v.node.Kind == yaml.ScalarNode { // an ARN: a queue outside the template
		arn := v.node.Value
		e.fifo = setting[bool]{value: strings.HasSuffix(arn, ".fifo"), where: prop}
		e.resource = setting[string]{value: arn[strings.LastIndex(arn, ":")+1:], where: prop}
		e.notes = append(e.notes, fmt.Sprintf("the queue %s is not in the template: its visibility timeout, retention and redrive policy are the runner's defaults or flags", arn))
		return
	}
	if v.ref == "" {
		fail(t.errorf(prop, errBadValue, "not a queue ARN or a reference to a queue"))
		return
	}
	if ty := t.resourceType(v.ref); ty != "AWS::SQS::Queue" {
		fail(t.errorf(prop, errBadValue, "%s is an %s, not an AWS::SQS::Queue", v.ref, ty))
		return
	}
	qw := "Resources." + v.ref + ".Properties"
	q := mapGet(t.resources[v.ref], "Properties")
	e.fifo = t.boolSetting(q, "FifoQueue", qw)
	e.visibility = t.secondsSetting(q, "VisibilityTimeout", qw)
	e.retention = t.secondsSetting(q, "MessageRetentionPeriod", qw)
	e.resource = optional(t.stringSetting(q, "QueueName", qw))
	rp := mapGet(q, "RedrivePolicy")
	if rp == nil {
		e.maxReceive = setting[int]{value: 0, where: qw + " (no RedrivePolicy)"}
		return
	}
	rv, err := t.resolve(rp, qw+".RedrivePolicy")
	if err != nil {
		e.maxReceive.err = err
		return
	}
	policy := rv.node
	if policy != nil && policy.Kind == yaml.ScalarNode { // the policy as a JSON string
		var doc yaml.Node
		if yaml.Unmarshal([]byte(policy.Value), &doc) != nil || len(doc.Content) == 0 {
			e.maxReceive.err = t.errorf(qw+".RedrivePolicy", errBadValue, "%q is not a JSON object", policy.Value)
			return
		}
		policy = doc.Content[0]
	}
	if policy == nil || policy.Kind != yaml.MappingNode {
		e.maxReceive.err = t.errorf(qw+".RedrivePolicy", errBadValue, "not a mapping with deadLetterTargetArn and maxReceiveCount")
		return
	}
	e.maxReceive = t.intSetting(policy, "maxReceiveCount", qw+".RedrivePolicy")
	if !e.maxReceive.set() && e.maxReceive.err == nil {
		e.maxReceive.err = t.errorf(qw+".RedrivePolicy", errBadValue, "no maxReceiveCount")
	}
}

// stream reads the settings of a Kinesis, DynamoDB Streams or Kafka event.
func (t *samTemplate) stream(e *eventSettings, p *yaml.Node) {
	e.maxRetry = t.intSetting(p, "MaximumRetryAttempts", e.where)
	e.maxAge = t.secondsSetting(p, "MaximumRecordAgeInSeconds", e.where)
	if e.maxAge.value < 0 { // -1: records never expire, the runner's 0
		e.maxAge.value = 0
	}
	e.bisect = t.boolSetting(p, "BisectBatchOnFunctionError", e.where)
	if pf := t.intSetting(p, "ParallelizationFactor", e.where); pf.set() && pf.value > 1 {
		e.notApplied = append(e.notApplied, fmt.Sprintf("ParallelizationFactor %d: not modelled, one batch per shard at a time", pf.value))
	}
	if sp := t.stringSetting(p, "StartingPosition", e.where); sp.set() {
		e.notApplied = append(e.notApplied, fmt.Sprintf("StartingPosition %s: not applied, the run reads what it sends from the start (--starting-position sets it on a real stream)", sp.value))
	}
	for _, k := range []string{"TumblingWindowInSeconds", "ProvisionedPollerConfig"} {
		if mapGet(p, k) != nil {
			e.notApplied = append(e.notApplied, k+": not modelled")
		}
	}
	t.onFailure(e, p)

	switch e.source {
	case srcKafka:
		if topics := mapGet(p, "Topics"); topics != nil && topics.Kind == yaml.SequenceNode && len(topics.Content) > 0 {
			if v, err := t.resolve(topics.Content[0], e.where+".Topics[0]"); err == nil && v.node != nil && v.node.Kind == yaml.ScalarNode {
				e.resource = setting[string]{value: v.node.Value, where: e.where + ".Topics"}
			}
		}
		return
	}
	prop := e.where + ".Stream"
	n := mapGet(p, "Stream")
	if n == nil {
		return
	}
	v, err := t.resolve(n, prop)
	if err != nil || v.ref == "" {
		return // an ARN, or a parameter: only the name is lost, which the runner does not need
	}
	rw := "Resources." + v.ref + ".Properties"
	r := mapGet(t.resources[v.ref], "Properties")
	switch ty := t.resourceType(v.ref); {
	case e.source == srcKinesis && ty == "AWS::Kinesis::Stream":
		e.shards = t.intSetting(r, "ShardCount", rw)
		e.resource = optional(t.stringSetting(r, "Name", rw))
	case e.source == srcDynamoDB && ty == "AWS::DynamoDB::Table":
		e.resource = optional(t.stringSetting(r, "TableName", rw))
	}
}

// onFailure reads DestinationConfig.OnFailure: the destination's name
// (the queue's QueueName, else its logical id) and whether it is an SQS
// queue.
func (t *samTemplate) onFailure(e *eventSettings, p *yaml.Node) {
	of := mapGet(mapGet(p, "DestinationConfig"), "OnFailure")
	if of == nil {
		return
	}
	prop := e.where + ".DestinationConfig.OnFailure.Destination"
	kind, _, _ := t.scalar(of, "Type", e.where+".DestinationConfig.OnFailure")
	n := mapGet(of, "Destination")
	if n == nil {
		e.onFailure.err = t.errorf(e.where+".DestinationConfig.OnFailure", errBadValue, "no Destination")
		return
	}
	v, err := t.resolve(n, prop)
	switch {
	case err != nil:
		e.onFailure.err = err
		return
	case v.ref != "":
		name, ty := v.ref, t.resourceType(v.ref)
		if ty == "AWS::SQS::Queue" {
			if qn := t.stringSetting(mapGet(t.resources[v.ref], "Properties"), "QueueName", ""); qn.set() {
				name = qn.value
			}
		} else {
			e.notSQS = "an " + ty
		}
		e.onFailure = setting[string]{value: name, where: prop}
	case v.node != nil && v.node.Kind == yaml.ScalarNode:
		arn := v.node.Value
		e.onFailure = setting[string]{value: arn[strings.LastIndex(arn, ":")+1:], where: prop}
		if !strings.HasPrefix(arn, "arn:aws:sqs:") && !strings.EqualFold(kind, "SQS") {
			e.notSQS = arn
		}
	default:
		e.onFailure.err = t.errorf(prop, errBadValue, "not an ARN or a reference to a resource")
	}
}

// loadTemplate reads the template at path, picks the function (function,
// or the only one) and its batch event source (event, or the only one).
func loadTemplate(path, function, event string) (*functionSettings, *eventSettings, error) {
	t, err := parseTemplate(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := t.function(function)
	if err != nil {
		return nil, nil, err
	}
	e, err := t.event(f, event)
	if err != nil {
		return f, nil, err
	}
	return f, e, nil
}
