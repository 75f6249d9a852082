package auth

import (
	"errors"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

func asPgError(err error) *relay.PgError {
	var pe *relay.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}
