package status

import "context"

// HoldRender makes the request of ctx close entered once it holds a
// render slot, and keep the slot until release closes.
func HoldRender(ctx context.Context, entered, release chan struct{}) context.Context {
	return context.WithValue(ctx, holdKey{}, hold{entered, release})
}
