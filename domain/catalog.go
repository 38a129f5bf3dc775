package domain

import "slices"

// System is a top-level area of the platform that owns files.
type System string

// ObjectType is the kind of business object a file belongs to within a System.
type ObjectType string

// The systems and object types of SPEC §1.
const (
	SystemWorkspace      System = "workspace"
	SystemAccounting     System = "accounting"
	SystemCommunications System = "communications"
	SystemAppBuilder     System = "app-builder"

	TypeDoc               ObjectType = "doc"
	TypeSheet             ObjectType = "sheet"
	TypeSlide             ObjectType = "slide"
	TypePDF               ObjectType = "pdf"
	TypeReceipt           ObjectType = "receipt"
	TypeInvoice           ObjectType = "invoice"
	TypeExport            ObjectType = "export"
	TypeEmailAttachment   ObjectType = "email-attachment"
	TypeMessageAttachment ObjectType = "message-attachment"
	TypeSource            ObjectType = "source"
	TypeBuild             ObjectType = "build"
)

// catalog is the one table of which object types each system accepts.
var catalog = map[System][]ObjectType{
	SystemWorkspace:      {TypeDoc, TypeSheet, TypeSlide, TypePDF},
	SystemAccounting:     {TypeReceipt, TypeInvoice, TypeExport},
	SystemCommunications: {TypeEmailAttachment, TypeMessageAttachment},
	SystemAppBuilder:     {TypeSource, TypeBuild},
}

// Systems lists every known system in a stable order.
func Systems() []System {
	return []System{SystemWorkspace, SystemAccounting, SystemCommunications, SystemAppBuilder}
}

// ObjectTypes lists the object types a system accepts, or nil for an unknown system.
func ObjectTypes(s System) []ObjectType {
	return slices.Clone(catalog[s])
}

// Kind is a (system, object type) pair that the catalog accepts.
type Kind struct {
	System     System
	ObjectType ObjectType
}

// String renders the kind as "system/object-type".
func (k Kind) String() string { return string(k.System) + "/" + string(k.ObjectType) }

// ParseKind checks a system and object type against the catalog.
func ParseKind(system, objectType string) (Kind, error) {
	types, ok := catalog[System(system)]
	if !ok {
		return Kind{}, Errorf(ErrInvalid, "invalid_system",
			"Unknown system %q; expected one of workspace, accounting, communications, app-builder.", clip(system))
	}
	if !slices.Contains(types, ObjectType(objectType)) {
		return Kind{}, Errorf(ErrInvalid, "invalid_object_type",
			"Object type %q is not valid for system %q.", clip(objectType), system)
	}
	return Kind{System: System(system), ObjectType: ObjectType(objectType)}, nil
}

// Kinds lists every (system, object type) pair of the catalog.
func Kinds() []Kind {
	var out []Kind
	for _, s := range Systems() {
		for _, t := range catalog[s] {
			out = append(out, Kind{System: s, ObjectType: t})
		}
	}
	return out
}

// clip shortens untrusted input before it is echoed in a message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "…"
	}
	return sanitizeForMessage(s)
}

func sanitizeForMessage(s string) string {
	b := []rune(s)
	for i, r := range b {
		if r < 0x20 || r == 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}
