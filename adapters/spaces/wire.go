package spaces

import (
	"context"

	"github.com/google/wire"

	"storagegw/application"
)

// ProviderSet provides the Spaces Store as the BlobStore and the
// URLSigner, for the production injector. It needs a context (for the
// startup check) and Options, which the composition root builds from the
// SPACES_* settings.
var ProviderSet = wire.NewSet(
	ProvideStore,
	wire.Bind(new(application.BlobStore), new(*Store)),
	wire.Bind(new(application.URLSigner), new(*Store)),
)

// ProvideStore builds the Store and checks, within the operation timeout,
// that the bucket can be reached with the credentials, so a wrong setting
// stops the service at start with an error naming it. The cleanup closes
// idle connections.
func ProvideStore(ctx context.Context, opts Options) (*Store, func(), error) {
	s, err := New(opts)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Check(ctx); err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, s.Close, nil
}
