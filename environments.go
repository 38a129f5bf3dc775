package main

import (
	"context"

	"go.uber.org/zap"

	"storagegw/application"
	"storagegw/configs"
)

// The configuration picks the environment: local disk when no SPACES_*
// setting is given, Spaces otherwise (configs.Validate makes sure they are
// all given). Each environment has its own wire injectors in wire.go.

func initService(ctx context.Context, cfg *configs.Config, logger *zap.Logger) (*Service, func(), error) {
	if cfg.UsesLocalDisk() {
		return initLocalService(ctx, cfg, logger)
	}
	return initSpacesService(ctx, cfg, logger)
}

func initJobs(ctx context.Context, cfg *configs.Config, logger *zap.Logger) (*Jobs, func(), error) {
	if cfg.UsesLocalDisk() {
		return initLocalJobs(ctx, cfg, logger)
	}
	return initSpacesJobs(ctx, cfg, logger)
}

func initBlobStore(ctx context.Context, cfg *configs.Config) (application.BlobStore, func(), error) {
	if cfg.UsesLocalDisk() {
		return initLocalBlobStore(ctx, cfg)
	}
	return initSpacesBlobStore(ctx, cfg)
}
