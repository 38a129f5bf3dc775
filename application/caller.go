package application

import "storagegw/domain"

// Caller is who is asking, as the inbound adapter established it: the
// verified principal and where the request came from.
type Caller struct {
	Principal domain.Principal
	IP        string
	UserAgent string
}

func (c Caller) actor() domain.Actor {
	p := c.Principal
	return domain.Actor{UserID: p.UserID, Role: p.Role, OrgID: p.OrgID, IP: c.IP, UserAgent: c.UserAgent}
}
