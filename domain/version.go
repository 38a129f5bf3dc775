package domain

// KeepsPreviousVersion is the one rule that decides whether an overwrite keeps
// the content it replaces as a version of the path: it does when the file's kind
// is versioned (the default; an operator may list unversioned kinds) and always
// when the file is under legal hold, whatever its kind's setting, so held
// content is never lost to an overwrite. Callers pass what they know; the
// overwrite use cases call it in one place.
func KeepsPreviousVersion(kindVersioned, held bool) bool {
	return kindVersioned || held
}
