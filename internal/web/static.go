package web

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// static serves the embedded style sheets and scripts. Pages link them with ?v=<content hash>,
// so such requests may be cached for good; other requests revalidate.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	if name == "" || strings.HasSuffix(name, "/") || !fs.ValidPath(name) {
		s.notFound(w, r)
		return
	}
	data, err := staticFiles.ReadFile(path.Join("static", name))
	if err != nil {
		s.notFound(w, r)
		return
	}
	if v := r.URL.Query().Get("v"); v != "" && v == s.views.assets[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+s.views.assets[name]+`"`)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}
