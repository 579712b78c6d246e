package archtest

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// A rule places the packages matching Packages in a layer by listing what
// they may import. Patterns are module-relative package paths whose
// elements are path.Match globs, where a final "..." element matches any
// number of further elements, including none ("internal/meta/..." matches
// internal/meta and internal/meta/sqlmeta).
type rule struct {
	// Packages is the pattern of the packages the rule covers. The first
	// rule of the table whose pattern matches a package is its rule.
	Packages string
	// May lists the module packages the covered packages may import.
	May []string
	// TestSupportMay lists further module packages that test-support
	// packages (whose name ends in "test", like metatest or s3test) may
	// import: the concrete stores they build fixtures from.
	TestSupportMay []string
	// MustNotUse lists packages outside the module (standard library or
	// third party) the covered packages must not import.
	MustNotUse []string
}

// module is an import graph: every non-test package of a module by import
// path, with the import paths it imports.
type module struct {
	Path     string
	Packages map[string][]string
}

// violation is one offending import, or a package no rule covers (Import
// empty).
type violation struct {
	Package, Import, Reason string
}

func (v violation) String() string {
	if v.Import == "" {
		return fmt.Sprintf("%s: %s", v.Package, v.Reason)
	}
	return fmt.Sprintf("%s imports %s: %s", v.Package, v.Import, v.Reason)
}

// match reports whether the module-relative path rel matches pattern.
func match(pattern, rel string) bool {
	pe := strings.Split(pattern, "/")
	re := strings.Split(rel, "/")
	for i, p := range pe {
		if p == "..." && i == len(pe)-1 {
			return true
		}
		if i >= len(re) {
			return false
		}
		if ok, err := path.Match(p, re[i]); err != nil || !ok {
			return false
		}
	}
	return len(pe) == len(re)
}

func matchAny(patterns []string, rel string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, rel) })
}

// isTestSupport reports whether a package is test support: its last path
// element ends in "test".
func isTestSupport(rel string) bool {
	return strings.HasSuffix(path.Base(rel), "test")
}

// relative returns the module-relative path of a module package; ok is false
// for a package outside the module.
func (m module) relative(importPath string) (rel string, ok bool) {
	if importPath == m.Path {
		return ".", true
	}
	rel, ok = strings.CutPrefix(importPath, m.Path+"/")
	return rel, ok
}

// check returns every violation of rules in m, sorted by package and import.
func check(rules []rule, m module) []violation {
	var out []violation
	for pkg, imports := range m.Packages {
		rel, ok := m.relative(pkg)
		if !ok {
			continue // not ours; go list only reports it with -deps
		}
		i := slices.IndexFunc(rules, func(r rule) bool { return match(r.Packages, rel) })
		if i < 0 {
			out = append(out, violation{Package: rel, Reason: "no layering rule covers this package; place it in a layer in layering_test.go"})
			continue
		}
		r := rules[i]
		for _, imp := range imports {
			impRel, internal := m.relative(imp)
			switch {
			case internal && impRel == rel:
				// A package cannot import itself; go list would not say so.
			case internal && matchAny(r.May, impRel):
			case internal && isTestSupport(rel) && matchAny(r.TestSupportMay, impRel):
			case internal:
				out = append(out, violation{Package: rel, Import: impRel,
					Reason: fmt.Sprintf("not allowed by the rule for %s (may import %s)", r.Packages, allowed(r, rel))})
			case matchAny(r.MustNotUse, imp):
				out = append(out, violation{Package: rel, Import: imp,
					Reason: fmt.Sprintf("packages of %s must not import %s", r.Packages, strings.Join(r.MustNotUse, ", "))})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].Import < out[j].Import
	})
	return out
}

// allowed describes what a package of rule r may import, for messages.
func allowed(r rule, rel string) string {
	may := r.May
	if isTestSupport(rel) {
		may = append(slices.Clone(may), r.TestSupportMay...)
	}
	if len(may) == 0 {
		return "nothing of the module"
	}
	return strings.Join(may, ", ")
}
