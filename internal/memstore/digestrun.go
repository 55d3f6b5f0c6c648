package memstore

import (
	"context"

	"github.com/retours/retours/internal/retours"
)

var _ retours.DigestRunStore = (*Store)(nil)

// PutDigestRun implements retours.DigestRunStore.
func (s *Store) PutDigestRun(ctx context.Context, r *retours.DigestRun) error {
	if err := s.begin(ctx, "PutDigestRun"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.digestRuns == nil {
		s.digestRuns = map[string]retours.DigestRun{}
	}
	s.digestRuns[r.ID] = *r
	return nil
}

// DigestRun implements retours.DigestRunStore.
func (s *Store) DigestRun(ctx context.Context, id string) (*retours.DigestRun, error) {
	if err := s.begin(ctx, "DigestRun"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	r, ok := s.digestRuns[id]
	if !ok {
		return nil, retours.NewError(retours.ENOTFOUND, "digest.run_not_found")
	}
	return &r, nil
}
