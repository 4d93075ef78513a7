//go:build js && wasm

// Command httpecho is the test module for handler mode: a net/http
// ServeMux served in workerd through package httpworker.
package main

import (
	"io"
	"net/http"

	"github.com/crumbkit/crumb/wasm/httpworker"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c, _ := r.Cookie("in")
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", Path: "/"})
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, r.PathValue("name")+"|"+r.URL.Query().Get("q")+"|"+r.Header.Get("X-Test")+"|"+c.Value+"|"+string(body)+"|"+r.Host)
	})
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/"})
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("asked to") })
	httpworker.Serve(mux)
}
