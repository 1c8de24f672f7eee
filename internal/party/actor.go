package party

import "context"

// Actor is who performs a write and from where; the audit trail records it.
type Actor struct {
	UserID   int64
	Username string
	Source   string // remote address, or "cli" / "system"
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, or the system actor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Username: "system", Source: "system"}
}
