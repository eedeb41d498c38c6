// Command httpecho is the web server of the end-to-end test image. It answers every
// request with the host name it runs on, which inside a pod is the pod's name, so a test
// can tell which pod behind a Service answered.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("listen", ":8080", "address to listen on")
	flag.Parse()

	hostname, err := os.Hostname()
	if err != nil {
		log.Fatalf("httpecho: read host name: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, hostname)
	})
	server := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("httpecho: serving %s on %s", hostname, *addr)
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("httpecho: %v", err)
	}
}
