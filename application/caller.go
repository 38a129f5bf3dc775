package application

import "storagegw/domain"

// Caller is who is asking, as the inbound adapter established it: the
// verified principal and where the request came from.
type Caller struct {
	Principal domain.Principal
	IP        string
	UserAgent string
	// Capability is the id of the upload capability the request carried
	// instead of a bearer token (CapabilityUploads), or empty; its audit
	// event names it (metadata capability_id).
	Capability string
}

func (c Caller) actor() domain.Actor {
	p := c.Principal
	return domain.Actor{UserID: p.UserID, Role: p.Role, OrgID: p.OrgID, IP: c.IP, UserAgent: c.UserAgent}
}

// withCapability returns metadata with the capability id added, leaving
// the entry's own map as it is.
func withCapability(metadata map[string]any, id string) map[string]any {
	out := make(map[string]any, len(metadata)+1)
	for k, v := range metadata {
		out[k] = v
	}
	out["capability_id"] = id
	return out
}
