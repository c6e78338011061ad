package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// Parse decodes a message as a mail client would: header fields from
// RFC 2047, and the text/plain and text/html parts (at any depth of
// multipart nesting) from quoted-printable or base64. Line ends in the
// decoded parts are turned from CRLF into LF, since SMTP mandates CRLF
// whatever the sender wrote. Only UTF-8 and US-ASCII bodies are accepted.
// The envelope and connection fields are left empty.
func Parse(raw []byte) (Received, error) {
	r := Received{Raw: raw, Header: map[string]string{}}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return r, fmt.Errorf("read message: %w", err)
	}
	var dec mime.WordDecoder
	for k, vs := range msg.Header {
		if len(vs) != 1 {
			continue
		}
		v, err := dec.DecodeHeader(vs[0])
		if err != nil {
			return r, fmt.Errorf("header %s: %w", k, err)
		}
		r.Header[k] = v
	}
	r.Subject = r.Header["Subject"]
	id := strings.TrimSpace(msg.Header.Get("Message-Id"))
	if id != "" {
		if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") {
			return r, fmt.Errorf("Message-ID %q is not in angle brackets", id)
		}
		r.MessageID = id[1 : len(id)-1]
	}
	err = r.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	return r, err
}

func (r *Received) walk(contentType, encoding string, body io.Reader, depth int) error {
	if depth > 10 {
		return fmt.Errorf("multipart nested more than 10 deep")
	}
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart, not NextPart: NextPart would decode
			// quoted-printable itself and hide the header.
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s part: %w", mediaType, err)
			}
			if err := r.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); err != nil {
				return err
			}
		}
	}
	var dst *string
	switch mediaType {
	case "text/plain":
		dst = &r.Text
	case "text/html":
		dst = &r.HTML
	default:
		return nil // attachments and the like are not decoded
	}
	if *dst != "" {
		return fmt.Errorf("more than one %s part", mediaType)
	}
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		return fmt.Errorf("%s part: charset %q, want utf-8", mediaType, cs)
	}
	var rd io.Reader
	switch enc := strings.ToLower(strings.TrimSpace(encoding)); enc {
	case "quoted-printable":
		rd = quotedprintable.NewReader(body)
	case "base64":
		rd = base64.NewDecoder(base64.StdEncoding, body) // skips line breaks
	case "", "7bit", "8bit", "binary":
		rd = body
	default:
		return fmt.Errorf("%s part: unknown transfer encoding %q", mediaType, enc)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return fmt.Errorf("%s part: decode %s: %w", mediaType, encoding, err)
	}
	if !utf8.Valid(b) {
		return fmt.Errorf("%s part is not valid UTF-8", mediaType)
	}
	*dst = strings.ReplaceAll(string(b), "\r\n", "\n")
	return nil
}

func canonicalKey(name string) string { return textproto.CanonicalMIMEHeaderKey(name) }
