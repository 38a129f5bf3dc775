package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// capabilityContext derives the capability key from the configured secret,
// so the secret serves nothing else as is; it is also each token's
// additional data, so a change of fields is a new version whose tokens the
// old one does not open.
const capabilityContext = "storagegw upload capability v1"

// MinCapabilitySecretBytes is the shortest secret a CapabilitySealer takes.
const MinCapabilitySecretBytes = 32

// CapabilitySealer seals upload capabilities with AES-256-GCM (random
// 96-bit nonces) under HMAC-SHA256(secret, capabilityContext): a token is
// the unpadded base64url of nonce ‖ ciphertext ‖ tag of the capability's
// fields, so it names no one in clear and cannot be altered or forged
// without the secret. Replicas sharing the secret open each other's.
type CapabilitySealer struct {
	aead cipher.AEAD
}

var _ application.UploadCapabilitySealer = (*CapabilitySealer)(nil)

// NewCapabilitySealer returns a sealer under secret, which must hold at
// least MinCapabilitySecretBytes bytes.
func NewCapabilitySealer(secret []byte) (*CapabilitySealer, error) {
	if len(secret) < MinCapabilitySecretBytes {
		return nil, fmt.Errorf("auth: the upload capability secret holds %d bytes, want at least %d: %w",
			len(secret), MinCapabilitySecretBytes, domain.ErrInvalid)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(capabilityContext))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("auth: capability cipher: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("auth: capability cipher: %w", err)
	}
	return &CapabilitySealer{aead: aead}, nil
}

// sealedCapability is the plaintext of a token.
type sealedCapability struct {
	ID           string `json:"i"`
	UserID       string `json:"u"`
	OrgID        string `json:"o"`
	Role         string `json:"r"`
	System       string `json:"s"`
	ObjectType   string `json:"t"`
	ObjectID     string `json:"d"`
	Filename     string `json:"f,omitempty"`
	MaxBytes     int64  `json:"m,omitempty"`
	PartSize     int64  `json:"p,omitempty"`
	AddTimestamp bool   `json:"a,omitempty"`
	Overwrite    bool   `json:"w,omitempty"`
	ExpiresAt    int64  `json:"e"` // Unix seconds
}

// Seal returns c's token.
func (s *CapabilitySealer) Seal(c *domain.UploadCapability) (string, error) {
	d := c.Data()
	plain, err := json.Marshal(sealedCapability{ID: d.ID, UserID: d.Principal.UserID, OrgID: d.Principal.OrgID,
		Role: string(d.Principal.Role), System: string(d.Kind.System), ObjectType: string(d.Kind.ObjectType),
		ObjectID: d.ObjectID, Filename: d.Filename, MaxBytes: d.MaxBytes, PartSize: d.PartSize,
		AddTimestamp: d.AddTimestamp, Overwrite: d.Overwrite, ExpiresAt: d.ExpiresAt.Unix()})
	if err != nil {
		return "", fmt.Errorf("auth: seal capability: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nil, nil, plain, []byte(capabilityContext))), nil
}

// Open returns the capability token seals; anything else is
// capability_invalid.
func (s *CapabilitySealer) Open(token string) (*domain.UploadCapability, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	// A token that does not re-encode to itself was altered, even if the
	// decoder's leniency would still open it.
	if err != nil || base64.RawURLEncoding.EncodeToString(raw) != token {
		return nil, errCapabilityInvalid()
	}
	plain, err := s.aead.Open(nil, nil, raw, []byte(capabilityContext))
	if err != nil {
		return nil, errCapabilityInvalid()
	}
	var sc sealedCapability
	if err := json.Unmarshal(plain, &sc); err != nil {
		return nil, errCapabilityInvalid()
	}
	p, err := domain.NewPrincipal(sc.UserID, sc.OrgID, sc.Role)
	if err != nil {
		return nil, errCapabilityInvalid()
	}
	c, err := domain.RehydrateUploadCapability(domain.UploadCapabilityData{ID: sc.ID, Principal: p,
		Kind:     domain.Kind{System: domain.System(sc.System), ObjectType: domain.ObjectType(sc.ObjectType)},
		ObjectID: sc.ObjectID, Filename: sc.Filename, MaxBytes: sc.MaxBytes, PartSize: sc.PartSize,
		AddTimestamp: sc.AddTimestamp, Overwrite: sc.Overwrite, ExpiresAt: time.Unix(sc.ExpiresAt, 0).UTC()})
	if err != nil {
		return nil, errCapabilityInvalid()
	}
	return c, nil
}

func errCapabilityInvalid() error {
	return domain.Errorf(domain.ErrForbidden, "capability_invalid",
		"The upload capability is not valid; ask the gateway for a new one (POST /api/storage/upload-capabilities).")
}

// ProvideCapabilitySealer returns the sealer under secret when it is set,
// else under the development secret kept at devPath (created on first
// use, shared by every process of the data dir).
func ProvideCapabilitySealer(secret []byte, devPath string) (*CapabilitySealer, error) {
	if len(secret) == 0 {
		dev, err := LoadOrCreateDevSecret(devPath)
		if err != nil {
			return nil, err
		}
		secret = dev
	}
	return NewCapabilitySealer(secret)
}
