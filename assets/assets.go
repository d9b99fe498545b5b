// Package assets embeds the dashboard's HTML templates and its static files
// (one small hand-written stylesheet and one progressive-enhancement script),
// so that ledger ships as a single binary.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed templates/*.html static/*
var files embed.FS

// Templates holds templates/*.html: layout.html plus one file per page.
var Templates fs.FS = mustSub("templates")

// Static holds static/: app.css and app.js, served under /static/.
var Static fs.FS = mustSub("static")

func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // unreachable: dir is embedded above
	}
	return sub
}
