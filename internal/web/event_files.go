package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"dangjian/internal/files"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// uploadAccept is the file chooser's filter; the store checks the type by content anyway.
var uploadAccept = strings.Join(files.Allowed, ",")

// noFileStore is the refusal when the server keeps no attachments.
const noFileStore = "本系统未配置附件存储，暂不能上传或下载附件。请联系系统管理员。"

// eventFileBody is the body limit of an attachment upload: the file store's size limit plus
// the multipart framing.
func (s *Server) eventFileBody() int64 {
	if s.files == nil {
		return maxFormBody
	}
	return s.files.MaxBytes() + 1<<20
}

// loadEventFile finds attachment {fid} of event {id}: an attachment of another event is
// answered 404, as a missing one.
func (s *Server) loadEventFile(w http.ResponseWriter, r *http.Request) (*store.EventFile, bool) {
	id, ok1 := pathID(r, "id")
	fid, ok2 := pathID(r, "fid")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return nil, false
	}
	f, err := s.db.FindEventFile(r.Context(), fid)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	if f.EventID != id {
		s.fail(w, r, party.Errorf(party.ENOTFOUND, "附件不存在"))
		return nil, false
	}
	return f, true
}

// eventFileUpload attaches one uploaded file (photo, sign-in sheet, PDF) to an event; its
// size and type are checked by content.
func (s *Server) eventFileUpload(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	if s.files == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, "无法上传附件", noFileStore)
		return
	}
	refuse := func(status int, msg string) {
		s.showEventWithError(w, r, e, status, func(p *eventPage) { p.FileError = msg })
	}
	mr, err := r.MultipartReader()
	if err != nil {
		refuse(http.StatusUnprocessableEntity, "请选择要上传的文件")
		return
	}
	tooBig := "文件超过" + strconv.FormatInt(s.files.MaxBytes()>>20, 10) + "MB，请压缩后再上传"
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			refuse(http.StatusRequestEntityTooLarge, tooBig)
			return
		}
		if err != nil {
			refuse(http.StatusBadRequest, "上传未完成，请重新选择文件")
			return
		}
		if part.FormName() != "file" {
			continue
		}
		if part.FileName() == "" {
			break
		}
		_, err = s.db.AddEventFile(r.Context(), s.files, e.ID, part.FileName(), part)
		switch {
		case err == nil:
			redirect(w, r, eventURL(e.ID)+"?done=file-added#files")
		case errors.As(err, &maxErr):
			refuse(http.StatusRequestEntityTooLarge, tooBig)
		case party.ErrorCode(err) == party.EINVALID:
			refuse(http.StatusUnprocessableEntity, party.ErrorMessage(err))
		default:
			s.fail(w, r, err)
		}
		return
	}
	refuse(http.StatusUnprocessableEntity, "请选择要上传的文件")
}

// eventFileServe sends an attachment after the permission check on its event, always as a
// download with its checked content type.
func (s *Server) eventFileServe(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadEventFile(w, r)
	if !ok {
		return
	}
	if s.files == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, "无法下载附件", noFileStore)
		return
	}
	file, err := s.files.Open(f.SHA256)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer file.Close()
	h := w.Header()
	h.Set("Content-Type", f.MIME)
	h.Set("Content-Disposition", attachmentDisposition(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-cache")
	http.ServeContent(w, r, "", f.CreatedAt, file)
}

// eventFileDelete removes an attachment from an event.
func (s *Server) eventFileDelete(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadEventFile(w, r)
	if !ok {
		return
	}
	if s.files == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, "无法删除附件", noFileStore)
		return
	}
	if err := s.db.RemoveEventFile(r.Context(), s.files, f.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, eventURL(f.EventID)+"?done=file-removed#files")
}

// attachmentDisposition is a Content-Disposition that downloads a file under name: an ASCII
// fallback for old clients and the UTF-8 name encoded as RFC 5987 says.
func attachmentDisposition(name string) string {
	var fallback, encoded strings.Builder
	for _, r := range name {
		if r < 0x80 && r >= 0x20 && r != '"' && r != '\\' && r != '%' && r != ';' && r != 0x7f {
			fallback.WriteRune(r)
		} else {
			fallback.WriteByte('_')
		}
	}
	const attrChar = "!#$&+-.^_`|~"
	for _, b := range []byte(name) {
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte(attrChar, b) >= 0 {
			encoded.WriteByte(b)
		} else {
			encoded.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(b)|0x100, 16)[1:]))
		}
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + encoded.String()
}
