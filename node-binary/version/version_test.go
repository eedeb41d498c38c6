package version

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestInfo(t *testing.T) {
	info := Info{Version: "v1.37.2", GitCommit: "abc123", GoVersion: "go1.26.8", Binary: Binary}

	t.Run("string", func(t *testing.T) {
		want := "lightnode v1.37.2+lightnode (go1.26.8, abc123)"
		if got := info.String(); got != want {
			t.Fatalf("String() = %q, want %q", got, want)
		}
	})

	t.Run("json", func(t *testing.T) {
		data, err := info.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"version": "v1.37.2", "gitCommit": "abc123", "binary": Binary}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		if !strings.HasSuffix(string(data), "\n") {
			t.Error("JSON does not end with a newline")
		}
	})
}
