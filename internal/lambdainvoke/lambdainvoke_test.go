package lambdainvoke_test

import (
	"context"
	"testing"

	"github.com/retours/retours/internal/lambdainvoke"
	"github.com/retours/retours/internal/retours"
)

// TestInvokeAsync: the real SDK's asynchronous invocation reaches the
// function with its payload; a function Lambda does not know is an error.
func TestInvokeAsync(t *testing.T) {
	local, err := lambdainvoke.StartLocal("retours-erase")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	ctx := context.Background()
	inv := lambdainvoke.New(local.Client(), "retours-erase")
	if err := inv.InvokeAsync(ctx, map[string]string{"erase_event": "k3vq2a7b"}); err != nil {
		t.Fatal(err)
	}
	got := local.Payloads("retours-erase")
	if len(got) != 1 || string(got[0]) != `{"erase_event":"k3vq2a7b"}` {
		t.Errorf("payloads = %q, want the event's", got)
	}
	err = lambdainvoke.New(local.Client(), "retours-nope").InvokeAsync(ctx, map[string]string{})
	if retours.ErrorCode(err) != retours.EUNAVAILABLE {
		t.Errorf("invoking an unknown function = %v, want unavailable", err)
	}
}
