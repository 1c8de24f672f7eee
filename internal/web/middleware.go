package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"

	"dangjian/internal/party"
)

// contentSecurityPolicy allows nothing inline and nothing from another origin.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'none'"

// middleware wraps the route table, outermost first: panic recovery, security headers,
// cross-origin protection, Chinese 404/405. Sessions and permissions are checked per route
// (guard.go).
func (s *Server) middleware(mux *http.ServeMux) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("web: cross-origin request refused", "method", r.Method, "path", logPath(r))
		s.errorPage(w, r, http.StatusForbidden, "请求被拒绝", "该请求来自其他网站，为防止跨站请求伪造已被拒绝。请从本系统页面重新操作。")
	}))
	var h http.Handler = s.notFoundPages(mux)
	h = cop.Handler(h)
	h = securityHeaders(h)
	return s.recoverPanics(h)
}

// recoverPanics turns a panic in a handler into a logged error and a generic Chinese page.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("web: panic", "method", r.Method, "path", logPath(r), "panic", fmt.Sprint(v),
				"stack", string(debug.Stack()))
			if rw.wrote {
				return
			}
			s.errorPage(rw, r, http.StatusInternalServerError, "系统错误", party.ErrorMessage(nil))
		}()
		next.ServeHTTP(rw, r)
	})
}

// statusWriter remembers whether the response has started, so recovery does not write twice.
type statusWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// securityHeaders sets the headers every response carries; responses other than static files
// may hold personal data and are never stored by the browser or a proxy.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// isLoopback reports whether a RemoteAddr ("host:port") is in 127.0.0.0/8 or is ::1.
func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return addr.Unmap().IsLoopback()
}

// notFoundPages replaces the mux's plain-text 404 and 405 answers with Chinese pages.
func (s *Server) notFoundPages(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&errorPageWriter{ResponseWriter: w, s: s, r: r}, r)
	})
}

// errorPageWriter swaps a 404 or 405 body written by the mux for a Chinese page.
type errorPageWriter struct {
	http.ResponseWriter
	s        *Server
	r        *http.Request
	replaced bool
}

func (w *errorPageWriter) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		w.replaced = true
		w.s.notFound(w.ResponseWriter, w.r)
	case http.StatusMethodNotAllowed:
		w.replaced = true
		w.s.errorPage(w.ResponseWriter, w.r, code, "请求方式不正确", "该地址不支持这种请求方式。请从系统页面上的链接或按钮进入。")
	default:
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *errorPageWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// logPath is r's path as it may appear in a log line: a segment long enough to be a
// credential (a sign-in link /c/{token}, a calendar feed /feeds/{token}.ics, an import's
// confirmation token) is replaced by "…", so no token is ever written to a log.
func logPath(r *http.Request) string { return party.RedactPath(r.URL.Path) }
