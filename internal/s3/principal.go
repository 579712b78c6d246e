package s3

import "context"

// Principal is the authenticated identity a request acts as.
type Principal struct {
	UserID      string
	DisplayName string
	AccessKey   string
}

type principalKey struct{}

// WithPrincipal returns a context carrying p. The HTTP layer sets it after
// authentication; the object service reads it to decide access.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx; ok is false for an anonymous
// request.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
