package localfs

import (
	"github.com/google/wire"

	"storagegw/application"
)

// ProviderSet provides the local-disk BlobStore (with multipart uploads,
// whose part URLs the Signer signs) and URLSigner, bound to their ports,
// for the development injector. It needs a Root, a BaseURL, a KeyFile and
// an application.Clock.
var ProviderSet = wire.NewSet(
	ProvideStore,
	NewMultipart,
	wire.Bind(new(application.BlobStore), new(*Multipart)),
	ProvideSigner,
	wire.Bind(new(application.URLSigner), new(*Signer)),
)

// Root is the directory the Store keeps its files under, typically
// "{STORAGEGW_DATA_DIR}/blobs".
type Root string

// BaseURL is the public base URL local signed URLs point at
// (STORAGEGW_PUBLIC_URL).
type BaseURL string

// KeyFile is the file holding the URL-signing key, created on first use;
// replicas sharing the data directory share it.
type KeyFile string

// ProvideStore opens the Store at root; the cleanup closes it.
func ProvideStore(root Root) (*Store, func(), error) {
	s, err := New(string(root))
	if err != nil {
		return nil, nil, err
	}
	return s, func() { _ = s.Close() }, nil
}

// ProvideSigner loads (or creates) the key in keyFile and returns a Signer
// for URLs under base.
func ProvideSigner(base BaseURL, keyFile KeyFile, clock application.Clock) (*Signer, error) {
	key, err := LoadOrCreateKey(string(keyFile))
	if err != nil {
		return nil, err
	}
	return NewSigner(string(base), key, clock)
}
