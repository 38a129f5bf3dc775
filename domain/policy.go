package domain

// Role is a caller's role within its organisation (SPEC §3).
type Role string

// The known roles. viewer < member < admin; auditor stands apart.
const (
	RoleViewer  Role = "viewer"
	RoleMember  Role = "member"
	RoleAdmin   Role = "admin"
	RoleAuditor Role = "auditor"
)

// RoleSystem is the role recorded on the audit events of the service's own
// jobs (the retention purge), with SystemActor as the user. No token can
// carry it: ParseRole refuses it and the policy grants it nothing.
const RoleSystem Role = "system"

// Permission is one thing a role may be allowed to do.
type Permission string

// The permissions the use cases check.
const (
	PermReadMetadata Permission = "read_metadata"
	PermList         Permission = "list"
	PermSignURL      Permission = "sign_url"
	PermUpload       Permission = "upload"
	PermOverwrite    Permission = "overwrite"
	PermSoftDelete   Permission = "soft_delete"
	PermHardDelete   Permission = "hard_delete"
	PermRestore      Permission = "restore"
	PermReadAudit    Permission = "read_audit"
	PermRevokeLink   Permission = "revoke_link"
	PermReadUsage    Permission = "read_usage"       // the org's storage usage and quota
	PermLegalHold    Permission = "legal_hold"       // set and clear legal holds
	PermReadHolds    Permission = "read_legal_holds" // list the org's legal holds
)

var (
	viewerPerms = []Permission{PermReadMetadata, PermList, PermSignURL}
	memberPerms = append(append([]Permission{}, viewerPerms...), PermUpload, PermOverwrite, PermSoftDelete, PermRevokeLink)
	adminPerms  = append(append([]Permission{}, memberPerms...), PermHardDelete, PermRestore, PermReadAudit, PermReadUsage,
		PermLegalHold, PermReadHolds)
)

// policy is the one permission table. Anything not listed is denied.
var policy = map[Role]map[Permission]bool{
	RoleViewer:  set(viewerPerms...),
	RoleMember:  set(memberPerms...),
	RoleAdmin:   set(adminPerms...),
	RoleAuditor: set(PermReadMetadata, PermReadAudit, PermReadUsage, PermReadHolds),
}

func set(ps ...Permission) map[Permission]bool {
	m := make(map[Permission]bool, len(ps))
	for _, p := range ps {
		m[p] = true
	}
	return m
}

// ParseRole accepts a known role name; anything else is ErrForbidden.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if _, ok := policy[r]; !ok {
		return "", Errorf(ErrForbidden, "unknown_role", "The role %q is not recognised.", clip(s))
	}
	return r, nil
}

// Roles lists the known roles.
func Roles() []Role { return []Role{RoleViewer, RoleMember, RoleAdmin, RoleAuditor} }

// Can reports whether the role grants the permission.
func (r Role) Can(p Permission) bool { return policy[r][p] }

// Principal is an authenticated caller: who, in which org, with which role.
// It is built only from a verified token.
type Principal struct {
	UserID string
	OrgID  string
	Role   Role
}

// NewPrincipal validates the claims of a verified token.
func NewPrincipal(userID, orgID, role string) (Principal, error) {
	if userID == "" || len(userID) > 256 || CheckText("sub", userID) != nil {
		return Principal{}, Errorf(ErrUnauthenticated, "token_invalid", "The token has no usable subject.")
	}
	if err := validateID("org_id", orgID); err != nil {
		return Principal{}, Errorf(ErrUnauthenticated, "token_invalid", "The token has no usable org_id claim.")
	}
	r, err := ParseRole(role)
	if err != nil {
		return Principal{}, err
	}
	return Principal{UserID: userID, OrgID: orgID, Role: r}, nil
}

// Authorize returns ErrForbidden unless the principal's role grants p.
func (p Principal) Authorize(perm Permission) error {
	if !p.Role.Can(perm) {
		return Errorf(ErrForbidden, "forbidden", "Your role (%s) does not allow %s.", p.Role, perm)
	}
	return nil
}
